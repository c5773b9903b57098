module example.com/vettest

go 1.25.0

require (
	github.com/getsentry/sentry-go v0.50.0
	github.com/sentrytask/sentrytask v0.0.0
	go.uber.org/goleak v1.3.0
	golang.org/x/sync v0.22.0
)

require (
	golang.org/x/sys v0.47.0 // indirect
	golang.org/x/text v0.41.0 // indirect
)

replace github.com/sentrytask/sentrytask => ../../..
