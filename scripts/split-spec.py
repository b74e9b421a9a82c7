#!/usr/bin/env python3
"""One-off: split openapi/openapi.yaml into openapi/src/ (a root document and one directory per area).

It cuts the hand-written text (so descriptions, flow-style examples and comments inside a block keep
their layout), gives each path item and each component to an area, and rewrites every
`$ref: '#/components/<kind>/<Name>'` to a file reference relative to where the block now lives.
Run once; the split files are then edited by hand and bundled with `scripts/spec bundle`.
"""
import collections
import os
import re
import sys

import yaml

SPEC = 'openapi/openapi.yaml'
OUT = 'openapi/src'

# Components used by several areas that belong to one resource; every other component used by
# more than one area goes to shared/.
OWNER = {
    'responses/PaymentBadRequest': 'payments',
    'responses/PaymentConflict': 'payments',
    'responses/PortalPaymentProcessorUnavailable': 'portal_payments',
    'responses/JobAlreadyRunning': 'portal_access',
    'responses/SignupForbidden': 'signup',
    'responses/SignupLinkNotFound': 'signup',
    'responses/SignupLinkExpired': 'signup',
    'responses/TooManyLinkAttempts': 'signup',
    'examples/Session': 'portal_auth',
    'examples/JobRunning': 'portal_access',
    'schemas/StaffRole': 'staff',
    'schemas/Contact': 'tenants',
    'schemas/Branding': 'tenants',
    'schemas/ContactInput': 'settings',
    'schemas/CustomerKind': 'customers',
    'schemas/CustomerContact': 'customers',
    'schemas/Customer': 'customers',
    'schemas/CustomerPortal': 'customers',
    'schemas/CustomerInvitationLink': 'portal_access',
    'schemas/InvitationKind': 'portal_access',
    'schemas/ServiceFrequency': 'services',
    'schemas/Weekday': 'services',
    'schemas/OrderType': 'orders',
    'schemas/OrderStatus': 'orders',
    'schemas/InvoiceStatus': 'invoices',
    'schemas/InvoiceLine': 'invoices',
    'schemas/PaymentMethod': 'payments',
    'schemas/PaymentStatus': 'payments',
    'schemas/PortalAccount': 'portal_auth',
    'schemas/LoginMethod': 'portal_auth',
    'schemas/PortalUser': 'portal_auth',
    'schemas/Session': 'portal_auth',
    'schemas/BulkInvitationInput': 'portal_access',
    'schemas/JobStarted': 'portal_access',
    'schemas/JobStatus': 'portal_access',
    'schemas/Job': 'portal_access',
    'schemas/PortalTab': 'portal_account',
    'schemas/PortalLocation': 'portal_account',
    'schemas/SavedPaymentMethod': 'portal_payment_methods',
}


def path_area(p):
    """The area (directory under openapi/src/) of one path."""
    if p in ('/healthz', '/readyz', '/metrics') or p.startswith(('/openapi', '/docs')):
        return 'system'
    if p.startswith('/v1/platform/'):
        return 'platform'
    if p == '/v1/tenants/{tenant}':
        return 'tenants'
    if p.endswith('/staff/login') or p.startswith('/v1/admin/staff-users'):
        return 'staff'
    if p.endswith('/password-reset') or p.endswith(('/forgot-password', '/reset-password')):
        return 'passwords'
    if (p.endswith('/portal') or p.startswith('/v1/admin/jobs')
            or (p.startswith('/v1/admin') and '/invitations' in p)):
        return 'portal_access'
    if p.startswith(('/v1/invitations', '/v1/pay-links')) or p.endswith(('/signup', '/verify-email')):
        return 'signup'
    if p.startswith(('/v1/tenants/{tenant}/auth', '/v1/auth/', '/v1/session')):
        return 'portal_auth'
    if p.startswith('/v1/me'):
        return 'me'
    if p.endswith(('/sms-consents', '/service-reminders')) or p == '/v1/portal/notifications':
        return 'notifications'
    m = (re.match(r'/v1/admin/customers/\{id\}/([a-z-]+)$', p) or re.match(r'/v1/admin/([a-z-]+)', p))
    if m:
        return m.group(1).replace('-', '_')
    m = re.match(r'/v1/portal/([a-z-]+)', p)
    if m:
        resource = m.group(1).replace('-', '_')
        if resource in ('account', 'locations', 'services'):
            return 'portal_account'
        return 'portal_' + resource
    sys.exit(f'no area for {p}')


def refs(node):
    if isinstance(node, dict):
        for k, v in node.items():
            if k == '$ref':
                yield v[len('#/components/'):]
            else:
                yield from refs(v)
    elif isinstance(node, list):
        for v in node:
            yield from refs(v)


def component_areas(doc):
    """Each component ('kind/Name') mapped to its area: its only user's, OWNER's, or shared."""
    users = collections.defaultdict(set)
    for p, item in doc['paths'].items():
        for r in refs(item):
            users[r].add(path_area(p))
    comps = {f'{k}/{n}': v for k, sec in doc['components'].items() if k != 'securitySchemes'
             for n, v in sec.items()}
    changed = True
    while changed:  # a component used by a component is used by that one's areas too
        changed = False
        for c, v in comps.items():
            for r in refs(v):
                if not users[c] <= users[r]:
                    users[r] |= users[c]
                    changed = True
    areas = {}
    for c in comps:
        if not users[c]:
            sys.exit(f'unused component {c}')
        areas[c] = next(iter(users[c])) if len(users[c]) == 1 else OWNER.get(c, 'shared')
    return areas


def blocks(lines, start, end, indent):
    """(key, text lines) of each key at exactly `indent` spaces in lines[start:end]; comments
    and blank lines between blocks are dropped."""
    out = []
    key_re = re.compile(' ' * indent + r"([^ #][^:]*):( .*)?$")
    for line in lines[start:end]:
        stripped = line.lstrip()
        if stripped.startswith('#') and len(line) - len(stripped) <= indent:
            continue  # a section divider between blocks, not part of one
        m = key_re.match(line)
        if m:
            out.append((m.group(1), []))
        elif not out:
            sys.exit(f'text before the first block: {line!r}')
        out[-1][1].append(line[indent:] if stripped else '')
    for _, body in out:
        while not body[-1]:
            body.pop()
    return out


def rewrite_refs(text, here, areas):
    """Make `#/components/<kind>/<Name>` references relative to the file `here` (area/kind)."""
    def ref(m):
        kind, name = m.group(1), m.group(2)
        there = f"{areas[f'{kind}/{name}']}/{kind}"
        if there == here:
            return f"$ref: '#/{name}'"
        if there.split('/')[0] == here.split('/')[0]:
            return f"$ref: '{kind}.yaml#/{name}'"
        return f"$ref: '../{there}.yaml#/{name}'"
    return re.sub(r"\$ref: '#/components/([a-zA-Z]+)/([A-Za-z0-9]+)'", ref, text)


def quote_yaml11_booleans(text):
    """Quote the example names `on` and `off`: YAML 1.2 readers (js-yaml: Redocly, Prism, Redoc)
    read them as strings, YAML 1.1 readers as booleans; quoted, every reader agrees."""
    return re.sub(r"^( +)(on|off):$", r"\1'\2':", text, flags=re.M)


def section_bounds(lines, name, indent, stop_indent):
    start = lines.index(' ' * indent + name + ':') + 1
    end = start
    while end < len(lines) and not re.match(' ' * stop_indent + r'[a-zA-Z]', lines[end]):
        end += 1
    return start, end


def main():
    text = open(SPEC).read()
    doc = yaml.safe_load(text)
    lines = text.split('\n')
    areas = component_areas(doc)
    files = collections.defaultdict(list)  # 'area/kind' -> text blocks, in the document's order

    p_start, p_end = section_bounds(lines, 'paths', 0, 0)
    path_blocks = blocks(lines, p_start, p_end, 2)
    assert [k for k, _ in path_blocks] == list(doc['paths']), 'path blocks differ from paths'
    for p, body in path_blocks:
        files[f'{path_area(p)}/paths'].append((p, body))

    for kind in doc['components']:
        if kind == 'securitySchemes':
            continue
        start, end = section_bounds(lines, kind, 2, 2)
        comp_blocks = blocks(lines, start, end, 4)
        assert [k for k, _ in comp_blocks] == list(doc['components'][kind]), kind
        for name, body in comp_blocks:
            files[f"{areas[f'{kind}/{name}']}/{kind}"].append((name, body))

    for here, entries in files.items():
        os.makedirs(os.path.join(OUT, here.split('/')[0]), exist_ok=True)
        body = '\n\n'.join('\n'.join(b) for _, b in entries) + '\n'
        with open(os.path.join(OUT, here + '.yaml'), 'w') as f:
            f.write(quote_yaml11_booleans(rewrite_refs(body, here, areas)))

    # The root: everything before paths (tag comments that marked delivery history dropped),
    # a $ref per path, and the security schemes.
    head = [line for line in lines[:p_start - 1] if not line.startswith('#')]
    root = '\n'.join(head).rstrip('\n') + '\n\npaths:\n'
    for p, _ in path_blocks:
        pointer = p.replace('~', '~0').replace('/', '~1')
        root += f"  {p}:\n    $ref: '{path_area(p)}/paths.yaml#/{pointer}'\n"
    s_start, s_end = section_bounds(lines, 'securitySchemes', 2, 2)
    schemes = '\n'.join(lines[s_start:s_end]).rstrip('\n')
    root += '\ncomponents:\n  securitySchemes:\n' + schemes + '\n'
    with open(os.path.join(OUT, 'openapi.yaml'), 'w') as f:
        f.write(root)


if __name__ == '__main__':
    main()
