package sentrytaskkafkago

import (
	"strings"

	"github.com/segmentio/kafka-go"
)

// headers adapts a message's headers to sentrytask.Carrier and
// sentrytask.ValuesGetter. Kafka's header keys are byte strings that may
// repeat; the trace headers' keys are matched without regard to case, as
// HTTP's are, since some producers capitalise them.
type headers struct {
	hs []kafka.Header
	// owned is set once Set has made hs a slice of its own, so that the
	// caller's message keeps its headers.
	owned bool
}

// Get returns the first value of key.
func (h *headers) Get(key string) string {
	for _, hd := range h.hs {
		if strings.EqualFold(hd.Key, key) {
			return string(hd.Value)
		}
	}
	return ""
}

// Values returns every value of key, in order.
func (h *headers) Values(key string) []string {
	var vs []string
	for _, hd := range h.hs {
		if strings.EqualFold(hd.Key, key) {
			vs = append(vs, string(hd.Value))
		}
	}
	return vs
}

// Set replaces every value of key with value, keeping the other headers and
// their order. The first Set copies the headers.
func (h *headers) Set(key, value string) {
	var out []kafka.Header
	if h.owned {
		out = h.hs[:0]
	} else {
		out = make([]kafka.Header, 0, len(h.hs)+4)
		h.owned = true
	}
	for _, hd := range h.hs {
		if !strings.EqualFold(hd.Key, key) {
			out = append(out, hd)
		}
	}
	h.hs = append(out, kafka.Header{Key: key, Value: []byte(value)})
}
