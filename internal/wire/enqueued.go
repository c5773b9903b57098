package wire

import (
	"math"
	"strconv"
	"time"
)

// EnqueuedTimeKey is the header in which a producer writes when it enqueued
// a message, in seconds since the Unix epoch as a decimal number: the
// header sentry-python and sentry-java write and read, so that producers
// and consumers in any of the three agree.
const EnqueuedTimeKey = "sentry-task-enqueued-time"

// maxEnqueuedTime bounds what ParseEnqueuedTime looks at: a float64 in any
// notation is shorter.
const maxEnqueuedTime = 32

// FormatEnqueuedTime formats t for EnqueuedTimeKey, to the microsecond.
func FormatEnqueuedTime(t time.Time) string {
	return strconv.FormatFloat(float64(t.UnixMicro())/1e6, 'f', 6, 64)
}

// ParseEnqueuedTime reads the values of EnqueuedTimeKey. It accepts any
// decimal or exponent notation of a positive number of seconds (Java writes
// "1.7170000001E9"), and nothing else: a value sent several times with
// different numbers, not a number, not finite, or before 2001 or after
// 2200, is rejected. It does not judge a time in the future; the caller
// knows its clock.
func ParseEnqueuedTime(values []string) (time.Time, bool) {
	if len(values) == 0 {
		return time.Time{}, false
	}
	secs, ok := parseSeconds(values[0])
	for _, v := range values[1:] {
		other, ok2 := parseSeconds(v)
		ok = ok && ok2 && other == secs
	}
	if !ok {
		return time.Time{}, false
	}
	whole, frac := math.Modf(secs)
	return time.Unix(int64(whole), int64(math.Round(frac*1e6))*1e3), true
}

// Seconds since the epoch that ParseEnqueuedTime accepts: 2001-09-09 to
// 2200-01-01. Earlier or later is a unit mistake (milliseconds) or a lie.
const minEnqueuedSeconds, maxEnqueuedSeconds = 1e9, 7258118400

func parseSeconds(v string) (float64, bool) {
	v = trimOWS(v)
	if v == "" || len(v) > maxEnqueuedTime {
		return 0, false
	}
	// ParseFloat also takes hexadecimal, underscores, "Inf" and "NaN".
	for i := 0; i < len(v); i++ {
		if c := v[i]; (c < '0' || c > '9') && c != '.' && c != 'e' && c != 'E' && c != '+' && c != '-' {
			return 0, false
		}
	}
	s, err := strconv.ParseFloat(v, 64)
	if err != nil || s < minEnqueuedSeconds || s > maxEnqueuedSeconds {
		return 0, false
	}
	return s, true
}
