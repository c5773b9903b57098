package tracecheck

// The messages of the findings about shared Sentry state. Each is one
// sentence: what is shared and what reads it (the evidence), what goes
// wrong, what to do, and the README section that says more. shared is
// sharedState's text, via a use's.

func goMessage(shared, via string) string {
	return "this goroutine shares " + shared + " with its spawner, and " + via + " reads it, so each moves the other's current span and their errors land on the wrong spans; start it with sentrytask.Go (see " + readmeURL + "#goroutines-sharing-a-hub)"
}

func errgroupMessage(shared, via string) string {
	return "errgroup tasks share " + shared + " with each other and with their spawner, and " + via + " reads it, so each moves the others' current span and their errors land on the wrong spans; use sentrytask.NewGroup, which gives every task a ctx of its own (see " + readmeURL + "#errgroup-tasks-sharing-a-hub)"
}

func waitGroupMessage(shared, via string) string {
	return "this sync.WaitGroup task shares " + shared + " with its spawner, and " + via + " reads it, so each moves the other's current span and their errors land on the wrong spans; use a sentrytask.Group (sentrytask.NewGroup), whose Wait waits as the WaitGroup's does (see " + readmeURL + "#goroutines-sharing-a-hub)"
}

func afterFuncMessage(shared, via string) string {
	return "time.AfterFunc runs this function in a goroutine of its own, later, sharing " + shared + " with its spawner, whose spans have often ended by then, and " + via + " reads it; give it a context made for it where it is scheduled, with sentrytask.Detach(ctx) (see " + readmeURL + "#goroutines-sharing-a-hub)"
}

// globalScopeMessage is for a change to the global hub's scope, how, made
// in a goroutine or a task.
func globalScopeMessage(how string) string {
	return "this goroutine changes the global hub's scope (" + how + "), whose stack every goroutine shares, so pushes and pops interleave and one goroutine's event carries another's tags; change the scope of a hub of its own, sentrytask.HubFromContext(ctx) in a task started with sentrytask.Go (see " + readmeURL + "#the-global-scope-in-a-goroutine)"
}

// spawnerMessages are the message builders by what starts the goroutine.
type spawnerMessage func(shared, via string) string
