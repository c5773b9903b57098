package sentrytaskriver

import (
	"testing"
	"time"

	"github.com/getsentry/sentry-go"
	"github.com/riverqueue/river"
)

// everyMinute is a schedule River does not know: a custom one.
type everyMinute struct{}

func (everyMinute) Next(t time.Time) time.Time { return t.Add(time.Minute) }

func TestAPeriodicJobsScheduleBecomesTheMonitors(t *testing.T) {
	t.Parallel()
	given := &sentry.MonitorConfig{Schedule: sentry.CrontabSchedule("5 4 * * *"), MaxRuntime: 9}
	for _, tc := range []struct {
		name     string
		schedule river.PeriodicSchedule
		cfg      *sentry.MonitorConfig
		want     sentry.MonitorConfig
	}{
		{"every 10 s: a minute, Sentry's finest", river.PeriodicInterval(10 * time.Second), nil,
			sentry.MonitorConfig{Schedule: sentry.IntervalSchedule(1, sentry.MonitorScheduleUnitMinute)}},
		{"every 90 s: rounded up", river.PeriodicInterval(90 * time.Second), nil,
			sentry.MonitorConfig{Schedule: sentry.IntervalSchedule(2, sentry.MonitorScheduleUnitMinute)}},
		{"every 90 min", river.PeriodicInterval(90 * time.Minute), nil,
			sentry.MonitorConfig{Schedule: sentry.IntervalSchedule(90, sentry.MonitorScheduleUnitMinute)}},
		{"every 36 h", river.PeriodicInterval(36 * time.Hour), &sentry.MonitorConfig{MaxRuntime: 5},
			sentry.MonitorConfig{Schedule: sentry.IntervalSchedule(36, sentry.MonitorScheduleUnitHour), MaxRuntime: 5}},
		{"every 2 days", river.PeriodicInterval(48 * time.Hour), nil,
			sentry.MonitorConfig{Schedule: sentry.IntervalSchedule(2, sentry.MonitorScheduleUnitDay)}},
		{"a crontab", Cron("0 3 * * *", everyMinute{}), nil,
			sentry.MonitorConfig{Schedule: sentry.CrontabSchedule("0 3 * * *")}},
		{"the user's schedule wins", river.PeriodicInterval(time.Hour), given, *given},
	} {
		got := monitorConfig(tc.schedule, tc.cfg)
		if got == nil || *got != tc.want {
			t.Errorf("%s: config %+v; want %+v", tc.name, got, tc.want)
		}
	}
	if got := monitorConfig(everyMinute{}, nil); got != nil {
		t.Errorf("a schedule River does not describe gave %+v; want none", got)
	}
}
