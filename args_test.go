package sentrytask_test

import (
	"context"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/sentrytask/sentrytask"
)

// panics runs f and returns what it panicked with, as a string.
func panics(f func()) (msg string) {
	defer func() {
		if r := recover(); r != nil {
			msg, _ = r.(string)
			if msg == "" {
				msg = "(a panic that is not a string)"
			}
		}
	}()
	f()
	return ""
}

// TestBadArgumentsPanicAtTheCall: a nil function, context, handler,
// request or carrier is a bug in the caller, and every entry point panics
// with the same kind of message, naming itself, at the call. So does an
// option given where it cannot apply.
func TestBadArgumentsPanicAtTheCall(t *testing.T) {
	t.Parallel()
	var nilCtx context.Context
	ctx := noClient()
	p := sentrytask.NewPool(1)
	defer shutdown(t, p)
	g, _ := sentrytask.NewGroup(ctx)
	defer g.Wait()
	for _, tc := range []struct {
		call string
		f    func()
		want string
	}{
		{"Go(nil, fn)", func() { sentrytask.Go(nilCtx, noop) }, "Go called with a nil context"},
		{"Go(ctx, nil)", func() { sentrytask.Go(ctx, nil) }, "Go called with a nil function"},
		{"NewGroup(nil)", func() { sentrytask.NewGroup(nilCtx) }, "NewGroup called with a nil context"},
		{"Group.Go(nil)", func() { g.Go(nil) }, "Group.Go called with a nil function"},
		{"Group.TryGo(nil)", func() { g.TryGo(nil) }, "Group.TryGo called with a nil function"},
		{"Submit(nil, fn)", func() { _, _ = p.Submit(nilCtx, noop) }, "Pool.Submit called with a nil context"},
		{"Submit(ctx, nil)", func() { _, _ = p.Submit(ctx, nil) }, "Pool.Submit called with a nil function"},
		{"TrySubmit(ctx, nil)", func() { _, _ = p.TrySubmit(ctx, nil) }, "Pool.TrySubmit called with a nil function"},
		{"Shutdown(nil)", func() { _ = p.Shutdown(nilCtx) }, "Pool.Shutdown called with a nil context"},
		{"Instrument(nil, …)", func() { _ = sentrytask.Instrument(nilCtx, "op", noop) }, "Instrument called with a nil context"},
		{"Instrument(ctx, op, nil)", func() { _ = sentrytask.Instrument(ctx, "op", nil) }, "Instrument called with a nil function"},
		{"InstrumentValue(ctx, op, nil)", func() { _, _ = sentrytask.InstrumentValue[int](ctx, "op", nil) }, "InstrumentValue called with a nil function"},
		{"Fork(nil)", func() { sentrytask.Fork(nilCtx) }, "Fork called with a nil context"},
		{"Detach(nil)", func() { sentrytask.Detach(nilCtx) }, "Detach called with a nil context"},
		{"Inject(ctx, nil)", func() { sentrytask.Inject(ctx, nil) }, "Inject called with a nil carrier"},
		{"Inject(ctx, MapCarrier(nil))", func() { sentrytask.Inject(ctx, sentrytask.MapCarrier(nil)) }, "Inject called with a nil sentrytask.MapCarrier as its carrier"},
		{"Publish(ctx, HeaderCarrier(nil))", func() { sentrytask.Publish(ctx, sentrytask.HeaderCarrier(nil), sentrytask.Message{}) }, "Publish called with a nil sentrytask.HeaderCarrier as its carrier"},
		{"StartCall(ctx, MapCarrier(nil))", func() { sentrytask.StartCall(ctx, sentrytask.MapCarrier(nil), "rpc", "", nil) }, "StartCall called with a nil sentrytask.MapCarrier"},
		{"Pool.Process(ctx, nil, …)", func() { _, _ = p.Process(ctx, nil, sentrytask.Message{}, noop) }, "Pool.Process called with a nil carrier"},
		{"Pool.Process(ctx, c, m, nil)", func() { _, _ = p.Process(ctx, sentrytask.MapCarrier{}, sentrytask.Message{}, nil) }, "Pool.Process called with a nil function"},
		{"Continue(ctx, nil, op)", func() { sentrytask.Continue(ctx, nil, "op") }, "Continue called with a nil carrier"},
		{"RequestEditor(ctx, nil)", func() { _ = sentrytask.RequestEditor(ctx, nil) }, "RequestEditor called with a nil request"},
		{"Middleware(nil)", func() { sentrytask.Middleware(nil) }, "Middleware called with a nil handler"},
	} {
		if got := panics(tc.f); !strings.Contains(got, tc.want) || !strings.HasPrefix(got, "sentrytask: ") {
			t.Errorf("%s panicked with %q; want a message containing %q", tc.call, got, tc.want)
		}
	}
}

// TestNilArgumentsWithADefaultGetIt: a nil option is no option, and a nil
// base round tripper is http.DefaultTransport.
func TestNilArgumentsWithADefaultGetIt(t *testing.T) {
	t.Parallel()
	ctx := noClient()
	if err := sentrytask.Go(ctx, noop, nil).Wait(); err != nil {
		t.Errorf("Go with a nil option: %v", err)
	}
	p := sentrytask.NewPool(1, nil, sentrytask.Option(nil))
	shutdown(t, p)
	if sentrytask.NewTransport(nil, nil) == nil || sentrytask.Middleware(http.NotFoundHandler(), nil) == nil {
		t.Error("a nil TransportOption or MiddlewareOption was not taken as none")
	}
}

// TestAnOptionWhereItCannotApplyDoesNotCompile: WithSpan asks for a span
// that Instrument always starts and that Process, a transaction of its
// own, cannot have; it is an Option, which neither takes, so passing it to
// them (or to an integration's process options) does not compile. Every
// other task option is a RunOption, which both take.
func TestAnOptionWhereItCannotApplyDoesNotCompile(t *testing.T) {
	t.Parallel()
	run := reflect.TypeFor[sentrytask.RunOption]()
	process := reflect.TypeFor[sentrytask.ProcessOption]()
	option := reflect.TypeFor[sentrytask.Option]()
	for name, f := range map[string]any{"Instrument": sentrytask.Instrument, "InstrumentValue": sentrytask.InstrumentValue[int]} {
		if in := reflect.TypeOf(f); in.In(in.NumIn()-1).Elem() != run {
			t.Errorf("%s's options are not RunOptions", name)
		}
	}
	for name, f := range map[string]any{"Process": sentrytask.Process, "Pool.Process": (*sentrytask.Pool).Process} {
		if in := reflect.TypeOf(f); in.In(in.NumIn()-1).Elem() != process {
			t.Errorf("%s's options are not ProcessOptions", name)
		}
	}
	span := reflect.TypeOf(sentrytask.WithSpan)
	if span.Out(0).Implements(process) || reflect.TypeOf(sentrytask.WithSpan("x")).Implements(process) {
		t.Error("WithSpan returns something Process and Instrument accept")
	}
	for name, f := range map[string]any{"WithDescription": sentrytask.WithDescription, "WithData": sentrytask.WithData,
		"WithCaptureErrors": sentrytask.WithCaptureErrors, "WithRecoverPanics": sentrytask.WithRecoverPanics} {
		if out := reflect.TypeOf(f).Out(0); out != run || !out.Implements(option) {
			t.Errorf("%s returns %v; want a RunOption, which tasks take too", name, out)
		}
	}
	for name, f := range map[string]any{"NewTraceAfter": sentrytask.NewTraceAfter, "WithErrorStatus": sentrytask.WithErrorStatus, "OnNotRun": sentrytask.OnNotRun} {
		if out := reflect.TypeOf(f).Out(0); out.Implements(option) {
			t.Errorf("%s returns something tasks take", name)
		}
	}
}

// TestAnHTTPOptionForTheOtherSideDoesNotCompile: the options of a request's
// sending side (NewTransport, NewRequestEditor, StartCall) and of its
// receiving side (Middleware) are of two types, which neither side's
// options satisfy for the other; WithFilter's is every one of them.
func TestAnHTTPOptionForTheOtherSideDoesNotCompile(t *testing.T) {
	t.Parallel()
	transport := reflect.TypeFor[sentrytask.TransportOption]()
	middleware := reflect.TypeFor[sentrytask.MiddlewareOption]()
	process := reflect.TypeFor[sentrytask.ProcessOption]()
	for name, f := range map[string]any{"NewTransport": sentrytask.NewTransport, "NewRequestEditor": sentrytask.NewRequestEditor, "StartCall": sentrytask.StartCall} {
		if in := reflect.TypeOf(f); in.In(in.NumIn()-1).Elem() != transport {
			t.Errorf("%s's options are not TransportOptions", name)
		}
	}
	if in := reflect.TypeOf(sentrytask.Middleware); in.In(in.NumIn()-1).Elem() != middleware {
		t.Error("Middleware's options are not MiddlewareOptions")
	}
	for name, out := range map[string]reflect.Type{
		"WithPropagationTargets": reflect.TypeOf(sentrytask.WithPropagationTargets("x")),
		"WithTraceparent":        reflect.TypeOf(sentrytask.WithTraceparent()),
	} {
		if !out.Implements(transport) || out.Implements(middleware) {
			t.Errorf("%s's option is not for the sending side only", name)
		}
	}
	for name, out := range map[string]reflect.Type{
		"WithHub":        reflect.TypeOf(sentrytask.WithHub(nil)),
		"WithRecover500": reflect.TypeOf(sentrytask.WithRecover500()),
	} {
		if !out.Implements(middleware) || out.Implements(transport) {
			t.Errorf("%s's option is not for the receiving side only", name)
		}
	}
	if f := reflect.TypeOf(sentrytask.WithFilter(nil)); !f.Implements(middleware) || !f.Implements(process) || !f.Implements(transport) {
		t.Error("WithFilter's option is not a MiddlewareOption, a TransportOption and a ProcessOption")
	}
}

// TestPoolOptionsApplyToPoolsOnly: WithQueueSize is a PoolOption, which Go,
// a Group and Instrument do not take (passing it does not compile); every
// Option is also a PoolOption, for all of a pool's tasks.
func TestPoolOptionsApplyToPoolsOnly(t *testing.T) {
	t.Parallel()
	option := reflect.TypeFor[sentrytask.Option]()
	if reflect.TypeOf(sentrytask.WithQueueSize(1)).AssignableTo(option) {
		t.Error("WithQueueSize returns something Go and Instrument accept")
	}
	if !option.Implements(reflect.TypeFor[sentrytask.PoolOption]()) {
		t.Error("an Option is not a PoolOption")
	}
	if reflect.TypeOf(sentrytask.WithQueueSize(1)).Implements(reflect.TypeFor[sentrytask.RunOption]()) {
		t.Error("WithQueueSize returns something Instrument accepts")
	}
}
