package sentrytask

import (
	"net/http"
	"reflect"

	"github.com/sentrytask/sentrytask/internal/wire"
)

// A Carrier holds trace headers on their way between processes: a message's
// metadata, a job's fields, RPC headers. Keys are "sentry-trace", "baggage"
// and "traceparent"; Get returns "" for a missing key.
type Carrier interface {
	Get(key string) string
	Set(key, value string)
}

// A ValuesGetter is a Carrier that can hold a key more than once, as HTTP
// headers and most message headers can. Continue and Inject read every
// value of such a carrier, as Middleware reads a request's: a sampling
// context in a second baggage field is found, contradictory sentry-trace
// values start a new trace, and foreign baggage members of every field are
// kept. Set must replace every value of its key.
type ValuesGetter interface {
	Values(key string) []string
}

// HeaderCarrier adapts an http.Header (or anything of its shape, such as
// gRPC-gateway or NATS headers) to Carrier and ValuesGetter. Keys are
// canonicalised.
type HeaderCarrier http.Header

// Get returns the first value of key.
func (h HeaderCarrier) Get(key string) string { return http.Header(h).Get(key) }

// Set replaces the values of key.
func (h HeaderCarrier) Set(key, value string) { http.Header(h).Set(key, value) }

// Values returns every value of key.
func (h HeaderCarrier) Values(key string) []string { return http.Header(h).Values(key) }

// Delete removes key.
func (h HeaderCarrier) Delete(key string) { http.Header(h).Del(key) }

// MapCarrier adapts a map to Carrier. Keys are used as given: the lower-case
// names this package uses.
type MapCarrier map[string]string

// Get returns the value of key.
func (m MapCarrier) Get(key string) string { return m[key] }

// Set sets the value of key.
func (m MapCarrier) Set(key, value string) { m[key] = value }

// Delete removes key.
func (m MapCarrier) Delete(key string) { delete(m, key) }

var (
	_ Carrier      = HeaderCarrier(nil)
	_ ValuesGetter = HeaderCarrier(nil)
	_ Deleter      = HeaderCarrier(nil)
	_ Carrier      = MapCarrier(nil)
	_ Deleter      = MapCarrier(nil)
)

// values returns every value c holds for key.
func values(c Carrier, key string) []string {
	if v, ok := c.(ValuesGetter); ok {
		return v.Values(key)
	}
	if v := c.Get(key); v != "" {
		return []string{v}
	}
	return nil
}

// mustCarrier panics on a nil carrier, which has nowhere to read or write.
func mustCarrier(c Carrier, where string) {
	if c == nil {
		panic("sentrytask: " + where + " called with a nil carrier")
	}
}

// mustWritable panics on a carrier that cannot be written: nil, or a nil
// map or pointer (a MapCarrier, HeaderCarrier or nats.Header never made).
// Writing to one panics only when Sentry is on, so that a producer would
// pass every test run without a DSN and crash in production; checked
// here, the mistake shows in the first test.
func mustWritable(c Carrier, where string) {
	mustCarrier(c, where)
	if v := reflect.ValueOf(c); (v.Kind() == reflect.Map || v.Kind() == reflect.Pointer) && v.IsNil() {
		panic("sentrytask: " + where + " called with a nil " + v.Type().String() + " as its carrier: make it first")
	}
}

// The keys carriers use for the trace headers.
const (
	keySentryTrace = wire.SentryTraceKey
	keyBaggage     = wire.BaggageKey
	keyTraceparent = wire.TraceparentKey
)
