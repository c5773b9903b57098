package wire

import (
	"encoding/json"
	"strings"

	"github.com/getsentry/sentry-go"
)

// The headers that carry a scheduled run's Sentry Crons check-in from the
// process that enqueued the run to the one that works it, as sentry-python
// (Celery beat) and Sentry's own task workers write and read them.
const (
	MonitorSlugKey      = "sentry-monitor-slug"
	MonitorConfigKey    = "sentry-monitor-config"            // the monitor's config, as JSON
	MonitorCheckInIDKey = "sentry-monitor-check-in-id"       // 32 hex digits
	MonitorStartKey     = "sentry-monitor-start-timestamp-s" // seconds since the epoch, as EnqueuedTimeKey
)

// MaxMonitorSlug bounds a slug read from a message: Sentry's own limit is
// 50 characters; longer is not a slug but hostile input.
const MaxMonitorSlug = 128

// maxMonitorConfig bounds the JSON of a monitor config read from a message.
const maxMonitorConfig = 4 << 10

// CheckInID returns the check-in id s names, as sentry-go writes it (32
// lower-case hex digits), accepting the dashed form of a UUID too; ok is
// false for anything else.
func CheckInID(s string) (sentry.EventID, bool) {
	if len(s) == 36 && s[8] == '-' && s[13] == '-' && s[18] == '-' && s[23] == '-' {
		s = s[:8] + s[9:13] + s[14:18] + s[19:23] + s[24:]
	}
	if len(s) != 32 {
		return "", false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return "", false
		}
	}
	return sentry.EventID(strings.ToLower(s)), true
}

// wireConfig is a monitor config as JSON: sentry-go's MonitorConfig, whose
// schedule is an interface JSON cannot fill.
type wireConfig struct {
	Schedule *struct {
		Type  string          `json:"type"`
		Value json.RawMessage `json:"value"`
		Unit  string          `json:"unit,omitempty"`
	} `json:"schedule,omitempty"`
	CheckInMargin         int64  `json:"checkin_margin,omitempty"`
	MaxRuntime            int64  `json:"max_runtime,omitempty"`
	Timezone              string `json:"timezone,omitempty"`
	FailureIssueThreshold int64  `json:"failure_issue_threshold,omitempty"`
	RecoveryThreshold     int64  `json:"recovery_threshold,omitempty"`
}

// FormatMonitorConfig returns cfg as the JSON sentry-monitor-config holds,
// the JSON of a check-in's monitor_config; "" for no config.
func FormatMonitorConfig(cfg *sentry.MonitorConfig) string {
	if cfg == nil {
		return ""
	}
	b, err := json.Marshal(cfg)
	if err != nil {
		return ""
	}
	return string(b)
}

// ParseMonitorConfig reads the JSON of sentry-monitor-config. A config that
// is not a JSON object, or larger than 4 KiB, is none (nil, false); one
// with no schedule, or a schedule of a kind sentry-go does not know, keeps
// the rest: the monitor exists in Sentry, or is created elsewhere. An
// empty object, which sentry-python writes for an interval shorter than a
// minute, is no config.
func ParseMonitorConfig(s string) (*sentry.MonitorConfig, bool) {
	if s == "" || len(s) > maxMonitorConfig {
		return nil, false
	}
	var w wireConfig
	if err := json.Unmarshal([]byte(s), &w); err != nil {
		return nil, false
	}
	cfg := &sentry.MonitorConfig{
		CheckInMargin:         w.CheckInMargin,
		MaxRuntime:            w.MaxRuntime,
		Timezone:              w.Timezone,
		FailureIssueThreshold: w.FailureIssueThreshold,
		RecoveryThreshold:     w.RecoveryThreshold,
	}
	if sc := w.Schedule; sc != nil {
		switch sc.Type {
		case "crontab":
			var v string
			if json.Unmarshal(sc.Value, &v) == nil && v != "" {
				cfg.Schedule = sentry.CrontabSchedule(v)
			}
		case "interval":
			var v int64
			if json.Unmarshal(sc.Value, &v) == nil && v > 0 && knownUnit(sc.Unit) {
				cfg.Schedule = sentry.IntervalSchedule(v, sentry.MonitorScheduleUnit(sc.Unit))
			}
		}
	}
	if *cfg == (sentry.MonitorConfig{}) {
		return nil, false
	}
	return cfg, true
}

func knownUnit(u string) bool {
	switch sentry.MonitorScheduleUnit(u) {
	case sentry.MonitorScheduleUnitMinute, sentry.MonitorScheduleUnitHour, sentry.MonitorScheduleUnitDay,
		sentry.MonitorScheduleUnitWeek, sentry.MonitorScheduleUnitMonth, sentry.MonitorScheduleUnitYear:
		return true
	}
	return false
}
