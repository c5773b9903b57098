package sentrytaskriver

import (
	"cmp"
	"encoding/json"
	"reflect"
	"time"

	"github.com/getsentry/sentry-go"
	"github.com/riverqueue/river"
	"github.com/sentrytask/sentrytask"
)

// The metadata members that name a run's monitor, as sentry-python names
// the headers.
const (
	keyMonitorSlug   = "sentry-monitor-slug"
	keyMonitorConfig = "sentry-monitor-config"
)

// NewPeriodicJob is river.NewPeriodicJob for a job Sentry Crons monitors:
// every run River's leader inserts is a scheduled run of monitor m, whose
// check-in the Middleware opens when the run is inserted and closes when
// a worker finishes it, on whichever node (see Middleware.Work for what
// each outcome reports). Install the Middleware on the clients that lead
// and that work, and start them with a context carrying the hub the
// check-ins go through: the leader inserts periodic runs with the context
// its client was started with.
//
// m.Slug is the job's kind when empty. The monitor's schedule is
// m.Config's, when it has one; else the schedule's own: an interval
// (river.PeriodicInterval) as an interval schedule in whole minutes,
// rounded up, since a minute is Sentry's finest (a job every second makes
// a monitor that expects a check-in every minute), and a crontab schedule
// for one made with Cron. A schedule of any other kind is unknown: give
// it in m.Config, or create the monitor in Sentry.
func NewPeriodicJob(schedule river.PeriodicSchedule, constructor river.PeriodicJobConstructor, opts *river.PeriodicJobOpts, m sentrytask.Monitor) *river.PeriodicJob {
	if schedule == nil || constructor == nil {
		panic("sentrytaskriver: NewPeriodicJob needs a schedule and a constructor")
	}
	cfg := monitorConfig(schedule, m.Config)
	return river.NewPeriodicJob(schedule, func() (river.JobArgs, *river.InsertOpts) {
		args, io := constructor()
		if args == nil {
			return nil, io
		}
		// The options may be shared between runs: write a copy.
		var run river.InsertOpts
		if io != nil {
			run = *io
		}
		md, ok := readMetadata(run.Metadata, maxMetadata)
		if !ok {
			return args, io // a worker would not read a monitor either
		}
		// The run's monitor, named without a check-in: the Middleware's
		// insert opens one (sentrytask.Publish).
		md.Set(keyMonitorSlug, cmp.Or(m.Slug, args.Kind()))
		if cfg != nil {
			if b, err := json.Marshal(cfg); err == nil {
				md.Set(keyMonitorConfig, string(b))
			}
		}
		run.Metadata = md.encode()
		return args, &run
	}, opts)
}

// Cron returns s, a schedule parsed from the crontab expression expr (by
// github.com/robfig/cron, as River's own example does), as one
// NewPeriodicJob reads expr back from, for the monitor's crontab schedule.
func Cron(expr string, s river.PeriodicSchedule) river.PeriodicSchedule {
	if s == nil {
		panic("sentrytaskriver: Cron needs the schedule parsed from " + expr)
	}
	return &cronSchedule{PeriodicSchedule: s, expr: expr}
}

type cronSchedule struct {
	river.PeriodicSchedule
	expr string
}

// intervalType is the type of River's PeriodicInterval, which keeps its
// interval to itself: Next tells it.
var intervalType = reflect.TypeOf(river.PeriodicInterval(time.Minute))

// monitorConfig returns the monitor config of a periodic job on schedule:
// cfg, with the schedule's own schedule when cfg has none.
func monitorConfig(schedule river.PeriodicSchedule, cfg *sentry.MonitorConfig) *sentry.MonitorConfig {
	if cfg != nil && cfg.Schedule != nil {
		return cfg
	}
	var own sentry.MonitorSchedule
	switch s := schedule.(type) {
	case *cronSchedule:
		own = sentry.CrontabSchedule(s.expr)
	default:
		if reflect.TypeOf(schedule) == intervalType {
			t := time.Unix(0, 0)
			own = intervalSchedule(schedule.Next(t).Sub(t))
		}
	}
	if own == nil {
		return cfg
	}
	out := sentry.MonitorConfig{}
	if cfg != nil {
		out = *cfg
	}
	out.Schedule = own
	return &out
}

// intervalSchedule is the interval d in Sentry's units: whole days or
// hours when d is, else minutes, rounded up, so that Sentry never expects
// a check-in sooner than the next run comes.
func intervalSchedule(d time.Duration) sentry.MonitorSchedule {
	const day = 24 * time.Hour
	switch {
	case d >= day && d%day == 0:
		return sentry.IntervalSchedule(int64(d/day), sentry.MonitorScheduleUnitDay)
	case d >= time.Hour && d%time.Hour == 0:
		return sentry.IntervalSchedule(int64(d/time.Hour), sentry.MonitorScheduleUnitHour)
	}
	return sentry.IntervalSchedule(max(int64((d+time.Minute-1)/time.Minute), 1), sentry.MonitorScheduleUnitMinute)
}
