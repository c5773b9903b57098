package sentrytask

import (
	"fmt"

	"github.com/getsentry/sentry-go"
)

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
