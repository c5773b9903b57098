// Package service is the service the service benchmark drives
// (cmd/service): one HTTP endpoint doing what a Go service's request does
// — a fan-out of 8 tasks, a job on a worker pool, a call to a downstream
// service, a message published — built three ways: with no Sentry, with
// hand-written sentry-go code that records the same spans, and with
// sentrytask.
package service
