package goroutines

import "net/http"

// Handler's file imports neither context nor sentrytask.
func Handler(w http.ResponseWriter, r *http.Request) {
	go func() { // want "this goroutine shares the Sentry hub on r.Context"
		process(r.Context(), 12)
	}()
	go process(r.Context(), 13) // want "this goroutine shares the Sentry hub on r.Context"
}
