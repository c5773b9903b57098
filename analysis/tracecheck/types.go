package tracecheck

import "go/types"

// isNamed reports whether t is the type path.name.
func isNamed(t types.Type, path, name string) bool {
	named, ok := types.Unalias(t).(*types.Named)
	if !ok {
		return false
	}
	obj := named.Obj()
	return obj.Name() == name && obj.Pkg() != nil && obj.Pkg().Path() == path
}

// isNamedOrPointer reports whether t is the type path.name or a pointer to
// it, as a method's receiver or a variable holding a struct may be.
func isNamedOrPointer(t types.Type, path, name string) bool {
	if p, ok := types.Unalias(t).(*types.Pointer); ok {
		t = p.Elem()
	}
	return isNamed(t, path, name)
}

// isContext reports whether t is context.Context.
func isContext(t types.Type) bool { return isNamed(t, "context", "Context") }

// isErrgroup reports whether t is errgroup.Group or a pointer to one.
func isErrgroup(t types.Type) bool { return isNamedOrPointer(t, errgroupPath, "Group") }

// isHub reports whether t is sentry.Hub or a pointer to one.
func isHub(t types.Type) bool { return isNamedOrPointer(t, sentryPath, "Hub") }

// isHTTP reports whether t is net/http's type called name, or a pointer
// to it.
func isHTTP(t types.Type, name string) bool { return isNamedOrPointer(t, "net/http", name) }

// isSpan reports whether t is sentry.Span or a pointer to one.
func isSpan(t types.Type) bool { return isNamedOrPointer(t, sentryPath, "Span") }

// isState reports whether t carries Sentry state a goroutine can share: a
// context (the hub and span on it) or a span (and the hub on its context).
func isState(t types.Type) bool { return isContext(t) || isSpan(t) }

// inSentry reports whether path is sentry-go or one of its packages.
func inSentry(path string) bool {
	return path == sentryPath || len(path) > len(sentryPath) && path[:len(sentryPath)+1] == sentryPath+"/"
}
