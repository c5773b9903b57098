package sentrytaskgrpc

import (
	"google.golang.org/grpc/metadata"
)

// incoming adapts an RPC's incoming metadata to sentrytask.Carrier and
// ValuesGetter, for reading: every value of a key counts, so that two
// different sentry-trace values start a new trace instead of one being
// picked.
type incoming metadata.MD

func (m incoming) Get(key string) string {
	if vs := metadata.MD(m).Get(key); len(vs) > 0 {
		return vs[0]
	}
	return ""
}

func (m incoming) Values(key string) []string { return metadata.MD(m).Get(key) }

// Set is never called on incoming metadata.
func (m incoming) Set(key, value string) {}

// outgoing adapts a call's outgoing metadata to sentrytask.Carrier,
// ValuesGetter and Deleter. The caller's metadata is never written: the
// first write copies it, and changed reports whether one happened.
type outgoing struct {
	md      metadata.MD
	changed bool
}

func (o *outgoing) Get(key string) string {
	if vs := o.md.Get(key); len(vs) > 0 {
		return vs[0]
	}
	return ""
}

func (o *outgoing) Values(key string) []string { return o.md.Get(key) }

func (o *outgoing) Set(key, value string) {
	o.copy()
	o.md.Set(key, value)
}

func (o *outgoing) Delete(key string) {
	if len(o.md.Get(key)) == 0 {
		return
	}
	o.copy()
	o.md.Delete(key)
}

func (o *outgoing) copy() {
	if !o.changed {
		o.md = o.md.Copy()
		if o.md == nil {
			o.md = metadata.MD{}
		}
		o.changed = true
	}
}
