package avro

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// maxEmptyItems bounds the array items of a datum that encode to no bytes
// (nulls...): valid Avro, but a decoder building the datum spends memory
// on each, for nothing in the input.
const maxEmptyItems = 1 << 16

// maxBinaryDepth bounds how deeply CheckBinary nests (a recursive type
// whose data never ends would otherwise recurse without consuming input).
const maxBinaryDepth = 1000

// CheckBinary checks that data is exactly one datum of the schema in Avro
// binary encoding, without building it: lengths and counts are checked
// against the bytes left, so a corrupt or hostile payload costs time in
// proportion to its size and allocates nothing; at most 65536 array items
// encoding to no bytes (nulls) are accepted per datum (decoders such as goavro
// preallocate an array or map from its block count: a 6-byte payload can
// ask for gigabytes).
func (s *Schema) CheckBinary(data []byte) error {
	c := binChecker{data: data, empty: map[*node]bool{}, emptyLeft: maxEmptyItems}
	if err := c.check(s.root, 0); err != nil {
		return err
	}
	if len(c.data) > 0 {
		return fmt.Errorf("avro: %d bytes left over after the datum", len(c.data))
	}
	return nil
}

type binChecker struct {
	data []byte
	// empty caches alwaysEmpty by node.
	empty map[*node]bool
	// emptyLeft is how many more empty array items are accepted.
	emptyLeft int64
}

var errShort = errors.New("avro: datum ends early")

// stringNode is a map key's type.
var stringNode = &node{kind: kindString}

func (c *binChecker) long() (int64, error) {
	v, n := binary.Varint(c.data)
	if n <= 0 {
		if n == 0 {
			return 0, errShort
		}
		return 0, errors.New("avro: varint overflows a long")
	}
	c.data = c.data[n:]
	return v, nil
}

func (c *binChecker) skip(n int64) error {
	if n < 0 {
		return fmt.Errorf("avro: negative length %d", n)
	}
	if n > int64(len(c.data)) {
		return errShort
	}
	c.data = c.data[n:]
	return nil
}

// alwaysEmpty reports whether every datum of n encodes to no bytes (null,
// fixed of size 0, records of such): a block of them is skipped without
// iterating its count.
func (c *binChecker) alwaysEmpty(n *node) bool {
	if e, ok := c.empty[n]; ok {
		return e
	}
	c.empty[n] = false // a record containing itself is not empty
	e := false
	switch n.kind {
	case kindNull:
		e = true
	case kindFixed:
		e = n.size == 0
	case kindRecord:
		e = true
		for _, f := range n.fields {
			e = e && c.alwaysEmpty(f.typ)
		}
	}
	c.empty[n] = e
	return e
}

func (c *binChecker) check(n *node, depth int) error {
	if depth > maxBinaryDepth {
		return fmt.Errorf("avro: datum nests deeper than %d levels", maxBinaryDepth)
	}
	switch n.kind {
	case kindNull:
		return nil
	case kindBoolean:
		if len(c.data) == 0 {
			return errShort
		}
		if c.data[0] > 1 {
			return fmt.Errorf("avro: boolean byte %d is not 0 or 1", c.data[0])
		}
		c.data = c.data[1:]
		return nil
	case kindInt:
		v, err := c.long()
		if err == nil && int64(int32(v)) != v {
			err = fmt.Errorf("avro: int %d out of range", v)
		}
		return err
	case kindLong:
		_, err := c.long()
		return err
	case kindFloat:
		return c.skip(4)
	case kindDouble:
		return c.skip(8)
	case kindBytes, kindString:
		l, err := c.long()
		if err != nil {
			return err
		}
		return c.skip(l)
	case kindFixed:
		return c.skip(int64(n.size))
	case kindEnum:
		i, err := c.long()
		if err == nil && (i < 0 || i >= int64(len(n.symbols))) {
			err = fmt.Errorf("avro: enum %s index %d out of range [0, %d)", n.name, i, len(n.symbols))
		}
		return err
	case kindUnion:
		i, err := c.long()
		if err != nil {
			return err
		}
		if i < 0 || i >= int64(len(n.branches)) {
			return fmt.Errorf("avro: union branch %d out of range [0, %d)", i, len(n.branches))
		}
		return c.check(n.branches[i], depth+1)
	case kindRecord:
		for _, f := range n.fields {
			if err := c.check(f.typ, depth+1); err != nil {
				return err
			}
		}
		return nil
	case kindArray, kindMap:
		return c.blocks(n, depth)
	}
	return fmt.Errorf("avro: unknown type %s", n.kind)
}

// blocks checks an array's or map's blocks.
func (c *binChecker) blocks(n *node, depth int) error {
	empty := n.kind == kindArray && c.alwaysEmpty(n.items)
	for {
		count, err := c.long()
		if err != nil {
			return err
		}
		if count == 0 {
			return nil
		}
		if count < 0 {
			if count == -count { // math.MinInt64
				return fmt.Errorf("avro: block count %d", count)
			}
			count = -count
			size, err := c.long()
			if err != nil {
				return err
			}
			if size < 0 || size > int64(len(c.data)) {
				return fmt.Errorf("avro: block size %d with %d bytes left", size, len(c.data))
			}
		}
		if empty {
			if count > c.emptyLeft {
				return fmt.Errorf("avro: more than %d array items that encode to no bytes", maxEmptyItems)
			}
			c.emptyLeft -= count
			continue
		}
		// Every item takes at least one byte (a map's key included).
		if count > int64(len(c.data)) {
			return fmt.Errorf("avro: block of %d items with %d bytes left", count, len(c.data))
		}
		for range count {
			if n.kind == kindMap {
				if err := c.check(stringNode, depth+1); err != nil {
					return err
				}
			}
			if err := c.check(n.items, depth+1); err != nil {
				return err
			}
		}
	}
}
