package sentrytask

import (
	"errors"
	"fmt"

	"github.com/getsentry/sentry-go"
)

// Errors returned by Pool.
var (
	// ErrClosed is returned by Submit and TrySubmit once Shutdown has been
	// called, and by the Task of an accepted task that Shutdown gave up on
	// before it started.
	ErrClosed = errors.New("sentrytask: pool is closed")
	// ErrFull is returned by TrySubmit when the pool's queue is full.
	ErrFull = errors.New("sentrytask: pool queue is full")
)

// errGoexit is what a task returns when its function called runtime.Goexit
// (t.FailNow in a test, for one) instead of returning.
var errGoexit = errors.New("sentrytask: task function called runtime.Goexit")

// PanicError is the error a task returns in place of a panic when it runs
// with WithRecoverPanics. The panic has already been reported to Sentry when
// a PanicError is returned.
type PanicError struct {
	// Value is the value the task panicked with.
	Value any
	// Stack is the panicking goroutine's stack, as debug.Stack formats it.
	Stack []byte
	// EventID is the id of the Sentry event that reported the panic, or ""
	// when no event was sent (no client bound, or the event was dropped).
	EventID sentry.EventID
}

// Error returns the panic value and the stack of the goroutine that panicked.
func (p *PanicError) Error() string {
	return fmt.Sprintf("sentrytask: panic: %v\n\n%s", p.Value, p.Stack)
}

// Unwrap returns the panic value when it is an error, so that errors.Is and
// errors.As see through a recovered panic.
func (p *PanicError) Unwrap() error {
	err, _ := p.Value.(error)
	return err
}
