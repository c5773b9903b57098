// Package benchmarks measures sentrytask side by side with what its users
// would otherwise write: plain goroutines, errgroup, conc, ants, pond and
// hand-written sentry-go code. It is a module of its own so that users of
// sentrytask never download the libraries it compares against.
//
// Every benchmark that is a baseline runs next to the sentrytask code it is
// compared with, so that figures are read as ratios within one run. The
// report command (go run ./cmd/report) runs the suite in interleaved rounds
// and writes RESULTS.md and results.svg from the medians.
package benchmarks
