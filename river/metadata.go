package sentrytaskriver

import "encoding/json"

// maxMetadata bounds the metadata a worker reads the trace from: a job's
// metadata is written by whoever inserted it, and a larger one is read as
// carrying no trace.
const maxMetadata = 1 << 20

// metadata is a job's metadata, a JSON object, as a sentrytask.Carrier of
// its members whose values are strings. The trace headers are members of
// their own, named as the headers are ("sentry-trace", "baggage",
// "sentry-task-enqueued-time"), as otelriver puts "traceparent": a
// consumer reads a W3C traceparent another producer wrote.
type metadata map[string]json.RawMessage

// readMetadata decodes a job's metadata; ok is false when it is not a JSON
// object (nil and empty are an empty one) or too large.
func readMetadata(b []byte) (m metadata, ok bool) {
	if len(b) == 0 {
		return metadata{}, true
	}
	if len(b) > maxMetadata || json.Unmarshal(b, &m) != nil || m == nil {
		return metadata{}, false
	}
	return m, true
}

// Get returns key's value, or "" when it is missing or not a string.
func (m metadata) Get(key string) string {
	var s string
	if json.Unmarshal(m[key], &s) != nil {
		return ""
	}
	return s
}

// Set sets key to the string value.
func (m metadata) Set(key, value string) {
	b, err := json.Marshal(value)
	if err != nil {
		return // a string always marshals
	}
	m[key] = b
}

func (m metadata) encode() []byte {
	b, err := json.Marshal(map[string]json.RawMessage(m))
	if err != nil {
		return nil // raw members were decoded from JSON: they marshal
	}
	return b
}
