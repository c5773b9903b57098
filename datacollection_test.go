package sentrytask_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/getsentry/sentry-go"
	sentryhttp "github.com/getsentry/sentry-go/http"
	sentryhttpclient "github.com/getsentry/sentry-go/httpclient"
	"github.com/sentrytask/sentrytask"
	"github.com/sentrytask/sentrytask/sentrytasktest"
)

// dataCollections are the settings the request data is tested under:
// sentry-go's default (no DataCollection, SendDefaultPII off), everything
// collected (a zero DataCollection: every category, the deny list), and
// nothing collected.
var dataCollections = []struct {
	name string
	set  func(*sentry.ClientOptions)
}{
	{"default", func(*sentry.ClientOptions) {}},
	{"everything on", func(o *sentry.ClientOptions) { o.DataCollection = &sentry.DataCollection{} }},
	{"everything off", func(o *sentry.ClientOptions) {
		off := &sentry.KeyValueCollectionBehavior{Mode: sentry.CollectionOff}
		o.DataCollection = &sentry.DataCollection{
			UserInfo: sentry.Set(false), Cookies: off, QueryParams: off, HTTPBodies: []sentry.BodyType{},
			HTTPHeaders: &sentry.HeaderCollectionConfig{Request: off, Response: off},
		}
	}},
}

// sensitiveRequest is a request with something of every kind the settings
// decide on: a credential, a cookie, a query with a token, a body with a
// password.
func sensitiveRequest(ctx context.Context, url string) *http.Request {
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, url+"/login?q=shoes&token=t0p#frag",
		strings.NewReader(`{"user":"ada","password":"hunter2"}`))
	req.Header.Set("Authorization", "Bearer s3cret")
	req.Header.Set("X-Request-Id", "r-7")
	req.Header.Set("X-Forwarded-For", "203.0.113.9")
	req.Header.Set("Content-Type", "application/json")
	req.Header.Add("Cookie", "session=abc; theme=dark")
	return req
}

// requestData is the span data about the request and its response.
func requestData(s *sentry.Span) map[string]any {
	out := map[string]any{}
	for k, v := range s.Data {
		if strings.HasPrefix(k, "http.request.header.") && (k == "http.request.header.sentry-trace" || k == "http.request.header.baggage") {
			continue
		}
		if strings.HasPrefix(k, "http.query") || strings.HasPrefix(k, "http.fragment") || strings.HasPrefix(k, "http.request.header.") ||
			strings.HasPrefix(k, "http.request.body") || strings.HasPrefix(k, "http.response.header.") || k == "http.response_content_length" {
			out[k] = v
		}
	}
	if c, ok := out["http.request.header.cookie"].(string); ok {
		out["http.request.header.cookie"] = sortedCookies(c)
	}
	return out
}

// sortedCookies is a cookie header's cookies in order: sentry-go writes
// them in a map's.
func sortedCookies(c string) string {
	parts := strings.Split(c, "; ")
	slices.Sort(parts)
	return strings.Join(parts, "; ")
}

// TestNewTransportRecordsWhatSentryhttpclientRecords: under each setting,
// an outgoing request's span holds the request data sentry-go's own
// round tripper records for the same request and response.
func TestNewTransportRecordsWhatSentryhttpclientRecords(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Set-Cookie", "session=new; Path=/")
		w.Header().Set("X-Served-By", "api-3")
		_, _ = w.Write([]byte("ok"))
	}))
	t.Cleanup(srv.Close)
	for _, dc := range dataCollections {
		t.Run(dc.name, func(t *testing.T) {
			t.Parallel()
			spans := map[string]*sentry.Span{}
			for name, rt := range map[string]http.RoundTripper{
				"sentrytask":       sentrytask.NewTransport(nil),
				"sentryhttpclient": sentryhttpclient.NewSentryRoundTripper(nil),
			} {
				ctx, tx, rec := newTrace(t, "login", dc.set)
				resp, err := (&http.Client{Transport: rt}).Do(sensitiveRequest(ctx, srv.URL))
				if err != nil {
					t.Fatal(err)
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				tx.Finish()
				spans[name] = only(t, "transactions", rec.Transactions()).Spans[0]
			}
			ours, theirs := requestData(spans["sentrytask"]), requestData(spans["sentryhttpclient"])
			if fmt.Sprint(ours) != fmt.Sprint(theirs) {
				t.Errorf("NewTransport recorded\n  %v\nsentryhttpclient\n  %v", ours, theirs)
			}
			if s := fmt.Sprint(ours); strings.Contains(s, "s3cret") || strings.Contains(s, "hunter2") || strings.Contains(s, "t0p") || strings.Contains(s, "abc") {
				t.Errorf("a sensitive value was recorded: %v", ours)
			}
			if dc.name == "everything on" && ours["http.request.body"] == nil {
				t.Errorf("with bodies collected, no body was recorded: %v", ours)
			}
			if dc.name == "everything off" {
				for k := range ours {
					if k != "http.fragment" && k != "http.response_content_length" { // the URL's and the response's, always
						t.Errorf("with nothing collected, %s was recorded", k)
					}
				}
			}
		})
	}
}

// TestMiddlewareRecordsWhatSentryhttpRecords: under each setting, an event
// captured in a handler carries the request as sentry-go's own handler
// gives it.
func TestMiddlewareRecordsWhatSentryhttpRecords(t *testing.T) {
	t.Parallel()
	for _, dc := range dataCollections {
		t.Run(dc.name, func(t *testing.T) {
			t.Parallel()
			got := map[string]*sentry.Request{}
			for name, wrap := range map[string]func(http.Handler) http.Handler{
				"sentrytask": func(h http.Handler) http.Handler { return sentrytask.Middleware(h) },
				"sentryhttp": func(h http.Handler) http.Handler { return sentryhttp.New(sentryhttp.Options{}).Handle(h) },
			} {
				hub, rec := sentrytasktest.NewHub(t, dc.set)
				h := wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					_, _ = io.Copy(io.Discard, r.Body)
					sentry.GetHubFromContext(r.Context()).CaptureException(errors.New("login failed"))
				}))
				req := sensitiveRequest(sentry.SetHubOnContext(context.Background(), hub), "http://shop.test")
				req.RemoteAddr = "198.51.100.4:5555"
				h.ServeHTTP(httptest.NewRecorder(), req)
				r := only(t, "errors", rec.Errors()).Request
				if r != nil {
					r.Cookies = sortedCookies(r.Cookies)
					if c, ok := r.Headers["Cookie"]; ok {
						r.Headers["Cookie"] = sortedCookies(c)
					}
				}
				got[name] = r
			}
			ours, theirs := got["sentrytask"], got["sentryhttp"]
			if ours == nil || fmt.Sprintf("%+v", *ours) != fmt.Sprintf("%+v", *theirs) {
				t.Errorf("Middleware's event has request\n  %+v\nsentryhttp's\n  %+v", ours, theirs)
			}
		})
	}
}
