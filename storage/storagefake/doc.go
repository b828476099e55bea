// Package storagefake holds fake file systems for testing storage and its
// users: MemFS, an in-memory FS that models what survives a machine crash
// (CrashClone), and ErrorFS, which injects failures into any FS.
package storagefake
