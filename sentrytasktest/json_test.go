package sentrytasktest_test

import (
	"bytes"
	"testing"

	"github.com/sentrytask/sentrytask/sentrytasktest"
)

// TestEventsTravelAsJSON: events written by one process and read by another
// check and render as the originals do.
func TestEventsTravelAsJSON(t *testing.T) {
	t.Parallel()
	events := fixedTrace()
	var b bytes.Buffer
	if err := sentrytasktest.WriteJSON(&b, events); err != nil {
		t.Fatal(err)
	}
	back, err := sentrytasktest.ReadJSON(&b)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := sentrytasktest.Tree(back), sentrytasktest.Tree(events); got != want {
		t.Errorf("the tree of the events read back:\n%s\nwant:\n%s", got, want)
	}
	if got, want := sentrytasktest.Check(back), sentrytasktest.Check(events); (got == nil) != (want == nil) || got != nil && got.Error() != want.Error() {
		t.Errorf("Check of the events read back: %v; want %v", got, want)
	}
	whole, _ := wholeTrace(t)
	b.Reset()
	_ = sentrytasktest.WriteJSON(&b, whole)
	back, err = sentrytasktest.ReadJSON(&b)
	if err != nil {
		t.Fatal(err)
	}
	sentrytasktest.AssertTrace(t, back, sentrytasktest.ExpectSpans("task", 2), sentrytasktest.ExpectSpans("db", 2))
	if _, err := sentrytasktest.ReadJSON(bytes.NewBufferString(`[{"spans":[{"span_id":"xyz"}]}]`)); err == nil {
		t.Error("ReadJSON accepted a malformed span id")
	}
}
