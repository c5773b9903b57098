package sentrytask

import (
	"testing"
	"unsafe"
)

// A Pool allocates a Task per submission, and the submitter and the worker
// both write it: at 64 bytes it is one cache line (the size class is
// aligned), and going past it costs a pool task measurably
// (BenchmarkPool/no_client). This is the guard on the layout in job and
// Task.
func TestTaskFitsOneCacheLine(t *testing.T) {
	if size := unsafe.Sizeof(Task{}); size > 64 {
		t.Errorf("unsafe.Sizeof(Task{}) = %d; want at most 64", size)
	}
}
