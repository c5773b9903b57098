module github.com/sentrytask/sentrytask/kafka/kafkago

go 1.26.0

replace github.com/sentrytask/sentrytask => ../..

require (
	github.com/getsentry/sentry-go v0.50.0
	github.com/segmentio/kafka-go v0.4.51
	github.com/sentrytask/sentrytask v0.0.0
	github.com/twmb/franz-go/pkg/kfake v0.0.0-20260918054303-01f206a7e32c
	go.uber.org/goleak v1.3.0
)

require (
	github.com/klauspost/compress v1.20.3 // indirect
	github.com/pierrec/lz4/v4 v4.1.33 // indirect
	github.com/twmb/franz-go v1.22.3 // indirect
	github.com/twmb/franz-go/pkg/kmsg v1.15.1 // indirect
	golang.org/x/sync v0.22.0 // indirect
	golang.org/x/sys v0.47.0 // indirect
	golang.org/x/text v0.41.0 // indirect
)
