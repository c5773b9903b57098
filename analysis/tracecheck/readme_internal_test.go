package tracecheck

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// TestMessagesLinkTheREADME checks that every diagnostic ends with a link
// to a section of the analyzer's README that exists, so no finding points
// nowhere.
func TestMessagesLinkTheREADME(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	anchors := map[string]bool{}
	for _, m := range regexp.MustCompile(`(?m)^#+ (.+)$`).FindAllStringSubmatch(string(readme), -1) {
		anchors[slug(m[1])] = true
	}
	link := regexp.MustCompile(`\(see ` + regexp.QuoteMeta(readmeURL) + `#([a-z0-9-]+)\)$`)
	// The evidence a finding carries, as the checks write it.
	const shared, via = "the Sentry hub on ctx (a parameter of Handle)", "worker → sentry.StartSpan at work.go:12"
	messages := []string{currentHubMessage, cloneMessage, hubChangedMessage, staticHeaderMessage, staleHeaderMessage, globalScopeMessage(via)}
	for _, m := range []spawnerMessage{goMessage, errgroupMessage, waitGroupMessage, afterFuncMessage} {
		msg := m(shared, via)
		if !strings.Contains(msg, shared) || !strings.Contains(msg, via) {
			t.Errorf("message leaves out its evidence: %q", msg)
		}
		messages = append(messages, msg)
	}
	for _, msg := range messages {
		m := link.FindStringSubmatch(msg)
		if m == nil {
			t.Errorf("message does not end with a README link: %q", msg)
			continue
		}
		if !anchors[m[1]] {
			t.Errorf("README has no section #%s", m[1])
		}
		if strings.Count(strings.TrimSuffix(msg, m[0]), ". ") > 0 {
			t.Errorf("message is more than one sentence: %q", msg)
		}
	}
	if _, anchor, _ := strings.Cut(Analyzer.URL, "#"); !anchors[anchor] {
		t.Errorf("README has no section #%s (Analyzer.URL)", anchor)
	}
}

// slug is GitHub's anchor for a heading: lower case, punctuation dropped,
// spaces as hyphens.
func slug(heading string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(heading) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '-', r == '_':
			b.WriteRune(r)
		case r == ' ':
			b.WriteByte('-')
		}
	}
	return b.String()
}
