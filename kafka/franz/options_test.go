package sentrytaskfranz_test

import (
	"reflect"
	"testing"

	"github.com/sentrytask/sentrytask"

	sentrytaskfranz "github.com/sentrytask/sentrytask/kafka/franz"
)

// TestAnOptionWhereItCannotApplyDoesNotCompile: WithPool, which means
// nothing for one record, is not an Option Process takes, though
// ProcessFetches takes it and every Option; WithProcessOptions takes no
// sentrytask.WithSpan, which a transaction's processing cannot have.
func TestAnOptionWhereItCannotApplyDoesNotCompile(t *testing.T) {
	t.Parallel()
	process := reflect.TypeOf(sentrytaskfranz.Process).In(3).Elem()
	fetches := reflect.TypeOf(sentrytaskfranz.ProcessFetches).In(3).Elem()
	pool := reflect.TypeOf(sentrytaskfranz.WithPool).Out(0)
	retry := reflect.TypeOf(sentrytaskfranz.WithRetryHeader).Out(0)
	if pool.Implements(process) {
		t.Errorf("Process takes %v, which WithPool implements", process)
	}
	if !pool.Implements(fetches) || !retry.Implements(fetches) || !retry.Implements(process) {
		t.Errorf("ProcessFetches takes %v, Process %v: want WithPool for the first and WithRetryHeader for both", fetches, process)
	}
	in := reflect.TypeOf(sentrytaskfranz.WithProcessOptions).In(0).Elem()
	if in != reflect.TypeFor[sentrytask.ProcessOption]() || reflect.TypeOf(sentrytask.WithSpan).Out(0).Implements(in) {
		t.Errorf("WithProcessOptions takes %v, which WithSpan implements", in)
	}
}
