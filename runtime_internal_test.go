package sentrytask

import (
	"testing"
	"unsafe"
)

// TestTaskFitsOneCacheLine guards the Task's size: see Task for what 80
// bytes cost.
func TestTaskFitsOneCacheLine(t *testing.T) {
	if size := unsafe.Sizeof(Task{}); size > 64 {
		t.Errorf("unsafe.Sizeof(Task{}) = %d; want at most 64", size)
	}
}
