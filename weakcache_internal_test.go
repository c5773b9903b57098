package sentrytask

import (
	"testing"

	"github.com/getsentry/sentry-go"
)

// BenchmarkWeakCache measures a lookup that the cache remembers against one
// through its map, which is what every lookup would cost without the
// remembered entry (see weakCache).
func BenchmarkWeakCache(b *testing.B) {
	client, err := sentry.NewClient(sentry.ClientOptions{Dsn: "https://key@sentrytask.invalid/1", Transport: noTransport{}})
	if err != nil {
		b.Fatal(err)
	}
	defer client.Close()
	var c weakCache[sentry.Client, int]
	c.attach(client, new(int))
	b.Run("remembered", func(b *testing.B) {
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				_ = c.get(client)
			}
		})
	})
	b.Run("through the map", func(b *testing.B) {
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				c.last.Store(nil)
				_ = c.get(client)
			}
		})
	})
}
