package sentrytask

import "context"

// Arguments are handled one way everywhere. A nil argument that has an
// obvious default gets it (a nil base round tripper is
// http.DefaultTransport, a nil Option is no option). One that has none — a
// nil function, context, handler or carrier — is a bug in the caller, and
// panics at the call with the name of what was called, instead of
// surfacing later in another goroutine as a nil dereference that no longer
// shows the call.

func mustContext(ctx context.Context, where string) {
	if ctx == nil {
		panic("sentrytask: " + where + " called with a nil context")
	}
}

func mustFunc(isNil bool, where string) {
	if isNil {
		panic("sentrytask: " + where + " called with a nil function")
	}
}
