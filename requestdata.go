package sentrytask

import (
	"bytes"
	"io"
	"net/http"
	"strings"

	"github.com/getsentry/sentry-go"
)

// What an outgoing request's span records of the request and its
// response, under the client's DataCollection (sentry-go ≥ 0.48), as
// sentry-go's own sentryhttpclient records it: the query string, the
// headers (sensitive values filtered, cookies as the cookie settings say),
// the request's body when bodies are collected, the response's length and
// headers. Middleware's transactions and events get the incoming request
// through the scope (Scope.SetRequest), which sentry-go filters itself.

// maxBodyBytes is the largest request body a span records, sentry-go's
// limit: a larger one is not recorded, never recorded in part.
const maxBodyBytes = 10 << 10

// recordRequest puts what dc collects of req on its span.
func recordRequest(span *sentry.Span, req *http.Request, dc *sentry.DataCollection) {
	if req.URL != nil {
		if req.URL.RawQuery != "" && dc.CollectQueryParams() {
			span.SetData("http.query", dc.FilterQueryString(req.URL.RawQuery))
		}
		if req.URL.Fragment != "" {
			span.SetData("http.fragment", req.URL.Fragment)
		}
	}
	// sentry-go's filters make a map even for no headers: ask them only
	// for some (measured: 2 allocations of 26 per request).
	if h := headerValues(req.Header, "Cookie", dc, dc.FilterCookies); len(h) > 0 {
		for k, v := range dc.FilterRequestHeaders(h) {
			span.SetData("http.request.header."+strings.ToLower(k), v)
		}
	}
}

// recordResponse puts what dc collects of resp on its span.
func recordResponse(span *sentry.Span, resp *http.Response, dc *sentry.DataCollection) {
	span.SetData("http.response_content_length", resp.ContentLength)
	if h := headerValues(resp.Header, "Set-Cookie", dc, dc.FilterSetCookies); len(h) > 0 {
		for k, v := range dc.FilterResponseHeaders(h) {
			span.SetData("http.response.header."+strings.ToLower(k), v)
		}
	}
}

// headerValues is h as sentry-go's filters take it, each header's values
// joined, its cookies filtered by the cookie settings (or left out when
// cookies are not collected).
func headerValues(h http.Header, cookie string, dc *sentry.DataCollection, filterCookies func([]string) string) map[string]string {
	if len(h) == 0 {
		return nil
	}
	m := make(map[string]string, len(h))
	for k, vs := range h {
		if len(vs) == 0 {
			continue
		}
		v := strings.Join(vs, ",")
		if strings.EqualFold(k, cookie) {
			if !dc.CollectCookies() {
				continue
			}
			if v = filterCookies(vs); v == "" {
				continue
			}
		}
		m[k] = v
	}
	return m
}

// teeBody returns req with its body copied, as it is sent, into a buffer
// the returned function records on span, when dc collects outgoing request
// bodies and the body is small enough; else req as it is.
func teeBody(span *sentry.Span, req *http.Request, dc *sentry.DataCollection) (*http.Request, func()) {
	if req.Body == nil || req.Body == http.NoBody || req.ContentLength > maxBodyBytes ||
		!dc.CollectHTTPBody(sentry.BodyOutgoingRequest) {
		return req, nil
	}
	buf := &limitedBuffer{}
	r := *req
	r.Body = teeReadCloser{Reader: io.TeeReader(req.Body, buf), Closer: req.Body}
	return &r, func() {
		if buf.Len() > 0 && !buf.over {
			span.SetData("http.request.body", dc.FilterHTTPBody(buf.Bytes(), req.Header.Get("Content-Type")))
		}
	}
}

type teeReadCloser struct {
	io.Reader
	io.Closer
}

// limitedBuffer keeps up to maxBodyBytes, and says when there was more.
type limitedBuffer struct {
	bytes.Buffer
	over bool
}

func (b *limitedBuffer) Write(p []byte) (int, error) {
	if b.over || b.Len()+len(p) > maxBodyBytes {
		b.over = true
		b.Reset()
		return len(p), nil
	}
	return b.Buffer.Write(p)
}
