module github.com/sentrytask/sentrytask/benchmarks

go 1.26.0

require (
	github.com/alitto/pond/v2 v2.7.1
	github.com/getsentry/sentry-go v0.50.0
	github.com/panjf2000/ants/v2 v2.12.1
	github.com/sentrytask/sentrytask v0.0.0
	github.com/sourcegraph/conc v0.3.0
	github.com/twmb/franz-go v1.22.3
	github.com/twmb/franz-go/pkg/kfake v0.0.0-20260918054303-01f206a7e32c
	go.uber.org/goleak v1.3.0
	golang.org/x/sync v0.22.0
)

require (
	github.com/klauspost/compress v1.20.3 // indirect
	github.com/pierrec/lz4/v4 v4.1.33 // indirect
	github.com/twmb/franz-go/pkg/kmsg v1.15.1 // indirect
)

require (
	github.com/sentrytask/sentrytask/kafka/franz v0.0.0
	go.uber.org/atomic v1.7.0 // indirect
	go.uber.org/multierr v1.9.0 // indirect
	golang.org/x/sys v0.47.0 // indirect
	golang.org/x/text v0.41.0 // indirect
)

replace github.com/sentrytask/sentrytask => ../

replace github.com/sentrytask/sentrytask/kafka/franz => ../kafka/franz
