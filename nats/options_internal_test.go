package sentrytasknats

import (
	"strings"
	"testing"
	"time"
)

func TestTheDefaultNakDelayDoublesFromASecondToAMinute(t *testing.T) {
	t.Parallel()
	c := newConfig(nil)
	want := []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second, 16 * time.Second, 32 * time.Second, time.Minute, time.Minute}
	for i, w := range want {
		if got := c.nakDelay(uint64(i + 1)); got != w {
			t.Errorf("after delivery %d: %v; want %v", i+1, got, w)
		}
	}
	if got := c.nakDelay(1 << 40); got != time.Minute {
		t.Errorf("after many deliveries: %v; want a minute", got)
	}
	b := newConfig([]Option{WithBackOff(time.Second, 5*time.Second)})
	for n, w := range map[uint64]time.Duration{1: time.Second, 2: 5 * time.Second, 9: 5 * time.Second} {
		if got := b.nakDelay(n); got != w {
			t.Errorf("WithBackOff, after delivery %d: %v; want %v", n, got, w)
		}
	}
}

func TestAWrongOptionPanicsAtConstructionNamingIt(t *testing.T) {
	t.Parallel()
	for name, opt := range map[string]Option{
		"WithBackOff(":      WithBackOff(time.Second, -time.Second),
		"WithRefusedDelay(": WithRefusedDelay(-time.Second),
	} {
		func() {
			defer func() {
				if msg, _ := recover().(string); msg == "" || !strings.Contains(msg, name) {
					t.Errorf("%s…: NewHandler's config panicked with %q; want a message naming it", name, msg)
				}
			}()
			newConfig([]Option{opt})
		}()
	}
}

func TestServerVersions(t *testing.T) {
	t.Parallel()
	for v, want := range map[string]bool{"2.10.4": true, "2.9.10": false, "2.10.3": false, "2.11.0-beta.1": true, "3.0.0": true, "": false, "x": false} {
		if got := atLeast(v, 2, 10, 4); got != want {
			t.Errorf("atLeast(%q, 2.10.4) = %t; want %t", v, got, want)
		}
	}
}
