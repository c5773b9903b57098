package sentrytask

import (
	"runtime"
	"sync"
	"weak"
)

// weakCache attaches a value to objects this package does not own — a
// sentry-go client, a transaction — for as long as the object lives. The
// entry is keyed by a weak pointer, so it keeps nothing alive, and removed
// by a cleanup when the object is collected.
type weakCache[K, V any] struct {
	m sync.Map // weak.Pointer[K] → *V
}

// get returns the value attached to k, or nil.
func (c *weakCache[K, V]) get(k *K) *V {
	v, _ := c.m.Load(weak.Make(k))
	p, _ := v.(*V)
	return p
}

// attach attaches v to k unless a value is attached already, and returns
// the value that is attached.
func (c *weakCache[K, V]) attach(k *K, v *V) *V {
	wk := weak.Make(k)
	actual, loaded := c.m.LoadOrStore(wk, v)
	if !loaded {
		runtime.AddCleanup(k, func(wk weak.Pointer[K]) { c.m.Delete(wk) }, wk)
	}
	return actual.(*V)
}

// getOrAttach returns the value attached to k, attaching build(k) first if
// there is none. build may run more than once when callers race; one result
// wins.
func (c *weakCache[K, V]) getOrAttach(k *K, build func(*K) *V) *V {
	if v := c.get(k); v != nil {
		return v
	}
	return c.attach(k, build(k))
}
