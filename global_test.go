package sentrytask_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/getsentry/sentry-go"
	sentryhttpclient "github.com/getsentry/sentry-go/httpclient"
	"github.com/sentrytask/sentrytask"
	"github.com/sentrytask/sentrytask/sentrytasktest"
)

// TestARequestWithoutAHubUsesTheGlobalHub: a program that calls sentry.Init
// and never binds a hub to a context must still propagate its trace.
// sentryhttpclient sends nothing when the request's context has no hub. The
// global hub is only touched in a child process, so that other tests may
// run in parallel.
func TestARequestWithoutAHubUsesTheGlobalHub(t *testing.T) {
	if os.Getenv("SENTRYTASK_GLOBAL_CHILD") != "" {
		globalChild(t)
		return
	}
	t.Parallel()
	cmd := exec.Command(os.Args[0], "-test.run=^TestARequestWithoutAHubUsesTheGlobalHub$", "-test.count=1")
	cmd.Env = append(os.Environ(), "SENTRYTASK_GLOBAL_CHILD=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
	lines := map[string]string{}
	for _, l := range strings.Split(string(out), "\n") {
		if k, v, ok := strings.Cut(l, "="); ok {
			lines[k] = v
		}
	}
	if len(lines["ours"]) < 49 || !strings.HasPrefix(lines["ours"], lines["global"]) {
		t.Errorf("ours: sentry-trace %q; want the global hub's trace %q\n%s", lines["ours"], lines["global"], out)
	}
	if lines["theirs"] != "" {
		t.Errorf("sentryhttpclient sent sentry-trace %q with no hub on the context; the side-by-side premise is wrong", lines["theirs"])
	}
}

func globalChild(t *testing.T) {
	client, _, err := sentrytasktest.NewClient()
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	sentry.CurrentHub().BindClient(client)
	base := &capture{}
	get(t, context.Background(), sentrytask.NewTransport(base), "https://api.test/", nil)
	fmt.Printf("ours=%s\n", base.last(t).Header.Get("sentry-trace"))
	get(t, context.Background(), sentryhttpclient.NewSentryRoundTripper(base), "https://api.test/", nil)
	fmt.Printf("theirs=%s\n", base.last(t).Header.Get("sentry-trace"))
	fmt.Printf("global=%s\n", sentry.CurrentHub().GetTraceparent())
}
