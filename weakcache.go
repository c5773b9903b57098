package sentrytask

import (
	"runtime"
	"sync"
	"sync/atomic"
	"weak"
)

// weakCache attaches a value to objects this package does not own — a
// sentry-go client, a transaction — for as long as the object lives. The
// entry is keyed by a weak pointer, so it keeps nothing alive, and removed
// by a cleanup when the object is collected.
//
// The last lookup is remembered, so that a program with one client pays an
// atomic load per lookup: 1.4–3 ns, against 170–240 ns for a lookup through
// the map, which makes a weak pointer (that takes a lock) and remembers the
// answer (BenchmarkWeakCache, 1 and 2 CPUs). That is some 5–10% of an
// outgoing request, or of a task spawned with a client, which look up
// the client's state and its OrphanDetector. The remembered object stays
// alive until another is looked up.
type weakCache[K, V any] struct {
	m    sync.Map // weak.Pointer[K] → *V
	last atomic.Pointer[lookup[K, V]]
}

type lookup[K, V any] struct {
	k *K
	v *V // nil: nothing is attached to k
}

// get returns the value attached to k, or nil.
func (c *weakCache[K, V]) get(k *K) *V {
	if l := c.last.Load(); l != nil && l.k == k {
		return l.v
	}
	v, _ := c.m.Load(weak.Make(k))
	p, _ := v.(*V)
	c.last.Store(&lookup[K, V]{k, p})
	return p
}

// attach attaches v to k unless a value is attached already, and returns
// the value that is attached.
func (c *weakCache[K, V]) attach(k *K, v *V) *V {
	wk := weak.Make(k)
	actual, loaded := c.m.LoadOrStore(wk, v)
	if !loaded {
		runtime.AddCleanup(k, func(wk weak.Pointer[K]) { c.m.Delete(wk) }, wk)
		// A lookup may have remembered that nothing was attached.
		c.last.Store(nil)
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
