#!/usr/bin/env python3
"""Every relative link of the documentation leads somewhere: for each Markdown link
`[text](target)` in README.md and docs/*.md (outside code), the target file exists, relative
to the page, and a `#fragment` names a heading of the target page (GitHub's anchors).
Web links (scheme://, mailto:) are not followed.
    python3 tools/docs/check-links.py           the tree's README.md and docs/*.md
    python3 tools/docs/check-links.py FILE...   those files
Exit 1 naming each broken link."""
import glob, os, re, sys

files = [os.path.relpath(f) for f in sys.argv[1:]]
if not files:
    os.chdir(os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..')))
    files = ['README.md'] + sorted(glob.glob('docs/*.md'))

def prose(path):
    """The lines outside fenced code blocks, with inline code removed, numbered."""
    fence = None
    for n, line in enumerate(open(path, encoding='utf-8'), 1):
        m = re.match(r'\s*(```|~~~)', line)
        if m:
            fence = None if fence == m.group(1) else (fence or m.group(1))
            continue
        if fence is None:
            yield n, re.sub(r'`[^`]*`', '', line)

def anchors(path):
    """GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens."""
    out, seen, fence = set(), {}, None
    for line in open(path, encoding='utf-8'):
        m = re.match(r'\s*(```|~~~)', line)
        if m:
            fence = None if fence == m.group(1) else (fence or m.group(1))
            continue
        h = re.match(r'#{1,6}\s+(.*?)\s*#*\s*$', line) if fence is None else None
        if not h:
            continue
        slug = re.sub(r'[^\w\- ]', '', h.group(1).lower()).replace(' ', '-')
        k = seen.get(slug, 0); seen[slug] = k + 1
        out.add(slug if k == 0 else '%s-%d' % (slug, k))
    return out

bad = links = 0
for f in files:
    for n, line in prose(f):
        for target in re.findall(r'\]\(([^)\s]+)(?:\s+"[^"]*")?\)', line):
            if re.match(r'[a-z][a-z0-9+.-]*:', target):
                continue
            links += 1
            path, _, frag = target.partition('#')
            dest = os.path.normpath(os.path.join(os.path.dirname(f), path)) if path else f
            if not os.path.exists(dest):
                print('%s:%d: link to %s: no such file' % (f, n, target)); bad += 1
            elif frag and dest.endswith('.md') and frag not in anchors(dest):
                print('%s:%d: link to %s: %s has no heading with that anchor' % (f, n, target, dest)); bad += 1
            elif frag and not dest.endswith('.md'):
                print('%s:%d: link to %s: an anchor into a file that is not Markdown' % (f, n, target)); bad += 1
if bad:
    print('%d broken link(s) of %d' % (bad, links)); sys.exit(1)
print('links: all %d relative links of %d files resolve' % (links, len(files)))
