package util

import (
	"context"
	"time"
)

// Wait waits n seconds or until ctx ends.
func Wait(ctx context.Context, n int) {
	select {
	case <-ctx.Done():
	case <-time.After(time.Duration(n) * time.Second):
	}
}
