package sentrytaskgrpc

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// TestEveryCodeHasTheSpanStatusOfItsName: Sentry's span statuses are named
// after gRPC's codes.
func TestEveryCodeHasTheSpanStatusOfItsName(t *testing.T) {
	t.Parallel()
	names := map[codes.Code]string{
		codes.OK: "ok", codes.Canceled: "cancelled", codes.Unknown: "unknown",
		codes.InvalidArgument: "invalid_argument", codes.DeadlineExceeded: "deadline_exceeded",
		codes.NotFound: "not_found", codes.AlreadyExists: "already_exists",
		codes.PermissionDenied: "permission_denied", codes.ResourceExhausted: "resource_exhausted",
		codes.FailedPrecondition: "failed_precondition", codes.Aborted: "aborted",
		codes.OutOfRange: "out_of_range", codes.Unimplemented: "unimplemented",
		codes.Internal: "internal_error", codes.Unavailable: "unavailable",
		codes.DataLoss: "data_loss", codes.Unauthenticated: "unauthenticated",
		codes.Code(99): "unknown",
	}
	for c, want := range names {
		if got := spanStatus(c).String(); got != want {
			t.Errorf("spanStatus(%v) = %s; want %s", c, got, want)
		}
	}
}

func TestCodeOfAnRPCsError(t *testing.T) {
	t.Parallel()
	for err, want := range map[error]codes.Code{
		nil:                                  codes.OK,
		status.Error(codes.NotFound, "gone"): codes.NotFound,
		fmt.Errorf("wrapped: %w", status.Error(codes.Unavailable, "down")): codes.Unavailable,
		context.Canceled:         codes.Canceled,
		context.DeadlineExceeded: codes.DeadlineExceeded,
		errors.New("plain"):      codes.Unknown,
	} {
		if got := code(err); got != want {
			t.Errorf("code(%v) = %v; want %v", err, got, want)
		}
	}
}
