# The built-in Tripwire policies, written for OPA / conftest over the plan document (packages/reconciler/JSON_CONTRACT.md):
#
#   npx tripwire plan --out plan.json
#   conftest test --policy examples/policies plan.json
#
# Labels and webhook hosts are data the plan does not hold: pass them with `--data` (a file such as
# {"tripwire": {"labels": ["platform"], "allowed_hosts": ["hooks.acme.com"], "webhook_urls": {"acme/deploy": "https://hooks.acme.com/deploy"}}}).
package main

import rego.v1

written contains op if {
	some op in input.operations
	op.op != "delete"
}

# Every automation has a description that names an owner ("owner: <team>" or an @handle).
deny contains msg if {
	some op in written
	not op.after.description
	msg := sprintf("%s has no description", [op.address])
}

deny contains msg if {
	some op in written
	description := op.after.description
	not regex.match(`(^|\s)(@[\w.-]+|owner:\s*\S+)`, description)
	msg := sprintf("%s: its description names no owner", [op.address])
}

# Org-scope changes need the platform label on the pull request.
deny contains msg if {
	some op in input.operations
	op.scope.type == "org"
	not "platform" in object.get(data, ["tripwire", "labels"], [])
	msg := sprintf("%s changes an org-scope automation: it needs the platform label", [op.address])
}

# Every webhook posts to an allowed host.
deny contains msg if {
	some op in written
	op.after.action.type == "webhook"
	integration := op.after.action.integration
	entity := object.get(integration, "entity", scope_entity(op.scope))
	key := sprintf("%s/%s", [entity, integration.name])
	url := object.get(data, ["tripwire", "webhook_urls", key], "")
	host := url_host(url)
	not host in object.get(data, ["tripwire", "allowed_hosts"], [])
	msg := sprintf("%s: webhook %s posts to %q, which is not an allowed host", [op.address, key, host])
}

# No change may raise a Slack automation's busiest day above 20 messages (needs `plan --backtest`).
deny contains msg if {
	some change in input.backtest.changes
	some op in written
	op.address == change.address
	op.after.action.type == "notification"
	change.after.busiestDay.firings > 20
	change.after.busiestDay.firings > object.get(change, ["before", "busiestDay", "firings"], 0)
	msg := sprintf("%s would post %d Slack messages on %s", [op.address, change.after.busiestDay.firings, change.after.busiestDay.day])
}

# A plan Tripwire itself refuses (a failing built-in policy, an invalid definition) is refused here too.
deny contains msg if {
	some d in input.diagnostics
	d.severity == "error"
	msg := sprintf("%s: %s", [d.code, d.message])
}

scope_entity(scope) := scope.entity if scope.type == "project"
scope_entity(scope) := scope.org if scope.type in {"registry", "org"}
scope_entity(scope) := scope.team if scope.type == "team"
scope_entity(scope) := scope_entity(scope.parent) if scope.type in {"collection", "collections"}

url_host(url) := host if {
	parts := split(url, "/")
	count(parts) > 2
	host := split(parts[2], ":")[0]
}

url_host(url) := "" if not contains(url, "//")
