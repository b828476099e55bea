// Package avro parses, validates, identifies and compares Avro schemas for the schema registry.
//
// It owns the Avro schema model only: no I/O, no registry state. [Parse] turns schema text (plus
// the named types of referenced schemas) into an immutable [Schema], rejecting invalid schemas with
// a [*SchemaError] that names the offending location. [Schema.Canonical] is the registry's identity
// form. [CanRead] implements the Avro specification's schema resolution rules as a compatibility
// check that lists every incompatibility with a path, and [Check] applies a compatibility [Level]
// against the existing versions of a subject.
//
// The JSON is read with encoding/json into a generic tree and the Avro model is our own: the
// libraries' caches and re-serialisation are not safe to use as registry identity.
//
// Concurrency: a *Schema is immutable after Parse and safe for concurrent use; all functions are
// pure and safe to call from any goroutine.
package avro
