package storage

// CRC-32C combination (after zlib's crc32_combine, by Mark Adler): the
// CRC of A‖B from CRC(A), CRC(B) and len(B), so an append computes the
// payload CRC once and derives the frame CRC from it instead of reading
// the payload a second time.

// castagnoliReflected is the reflected Castagnoli polynomial.
const castagnoliReflected = 0x82f63b78

// x2nTable[k] = x^(2^k) mod P.
var x2nTable = func() (t [32]uint32) {
	p := uint32(1) << 30 // x^1
	t[0] = p
	for n := 1; n < 32; n++ {
		p = multModP(p, p)
		t[n] = p
	}
	return t
}()

// multModP multiplies a and b modulo P (bit-reflected).
func multModP(a, b uint32) uint32 {
	m := uint32(1) << 31
	var p uint32
	for {
		if a&m != 0 {
			p ^= b
			if a&(m-1) == 0 {
				break
			}
		}
		m >>= 1
		if b&1 != 0 {
			b = b>>1 ^ castagnoliReflected
		} else {
			b >>= 1
		}
	}
	return p
}

// x2nModP returns x^(n * 2^k) mod P.
func x2nModP(n uint64, k uint) uint32 {
	p := uint32(1) << 31 // x^0
	for n != 0 {
		if n&1 != 0 {
			p = multModP(x2nTable[k&31], p)
		}
		n >>= 1
		k++
	}
	return p
}

// crc32cCombine returns CRC32C(A‖B) given crcA = CRC32C(A), crcB =
// CRC32C(B) and lenB = len(B).
func crc32cCombine(crcA, crcB uint32, lenB int) uint32 {
	return multModP(x2nModP(uint64(lenB), 3), crcA) ^ crcB
}

// crcCombiner is crc32cCombine keeping the factor for the last lenB: a
// log's batches come in few sizes, and computing the factor costs several
// times the multiplication that applies it.
type crcCombiner struct {
	lenB int
	op   uint32 // x^(8 lenB) mod P; never 0 once set
}

func (c *crcCombiner) combine(crcA, crcB uint32, lenB int) uint32 {
	if c.op == 0 || c.lenB != lenB {
		c.lenB, c.op = lenB, x2nModP(uint64(lenB), 3)
	}
	return multModP(c.op, crcA) ^ crcB
}
