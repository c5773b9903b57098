package sentrytaskfranz

import (
	"strings"

	"github.com/twmb/franz-go/pkg/kgo"
)

// headers adapts a record's headers to sentrytask.Carrier and
// sentrytask.ValuesGetter. Kafka's header keys are byte strings that may
// repeat; the trace headers' keys are matched without regard to case, as
// HTTP's are, since some producers capitalise them.
type headers struct {
	r *kgo.Record
	// owned is set once Set has given the record a header slice of its own.
	owned bool
}

// Get returns the first value of key.
func (h *headers) Get(key string) string {
	for _, hd := range h.r.Headers {
		if strings.EqualFold(hd.Key, key) {
			return string(hd.Value)
		}
	}
	return ""
}

// Values returns every value of key, in order.
func (h *headers) Values(key string) []string {
	var vs []string
	for _, hd := range h.r.Headers {
		if strings.EqualFold(hd.Key, key) {
			vs = append(vs, string(hd.Value))
		}
	}
	return vs
}

// Set replaces every value of key with value, keeping the other headers and
// their order. The first Set gives the record a header slice of its own,
// so that records sharing one (built from a template the caller appends
// to) do not write into each other's.
func (h *headers) Set(key, value string) {
	var out []kgo.RecordHeader
	if h.owned {
		out = h.r.Headers[:0]
	} else {
		out = make([]kgo.RecordHeader, 0, len(h.r.Headers)+4)
		h.owned = true
	}
	for _, hd := range h.r.Headers {
		if !strings.EqualFold(hd.Key, key) {
			out = append(out, hd)
		}
	}
	h.r.Headers = append(out, kgo.RecordHeader{Key: key, Value: []byte(value)})
}
