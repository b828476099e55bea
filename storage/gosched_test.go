package storage_test

import "runtime"

func runtimeGosched() { runtime.Gosched() }
