package main

import "context"

func (m *Main) serve(ctx context.Context, args []string) error     { return usageErr("serve: not yet built") }
func (m *Main) importCmd(ctx context.Context, args []string) error { return usageErr("import: not yet built") }
func (m *Main) evidence(ctx context.Context, args []string) error  { return usageErr("evidence: not yet built") }
func (m *Main) verify(ctx context.Context, args []string) error    { return usageErr("verify: not yet built") }
func (m *Main) rulesTest(ctx context.Context, args []string) error { return usageErr("rules test: not yet built") }
