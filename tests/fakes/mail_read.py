#!/usr/bin/env python3
"""Read the messages stored by tests/fakes/smtp_sink.py (standard library only).

usage:
  mail_read.py text FILE            the text/plain part, decoded
  mail_read.py html FILE            the text/html part, decoded
  mail_read.py header FILE NAME     every value of header NAME, decoded (RFC 2047), one a line
  mail_read.py links FILE           every http(s) link of the text part, in order, one a line
  mail_read.py attachments FILE     one line per attachment: filename, content type, size in bytes
  mail_read.py attachment FILE NAME the decoded bytes of attachment NAME on standard output
  mail_read.py find DIR TO [REGEX] --consumed LIST
                                    the oldest stored message to TO (envelope recipient, any case)
                                    whose decoded Subject matches REGEX and whose path is not in
                                    LIST; prints its path and appends it to LIST. Exit 1: none.
  mail_read.py count DIR TO         how many stored messages went to TO
Exit status 1 when the asked part, header or message is missing.
"""
import email
import email.policy
import os
import re
import sys

LINK = re.compile(r"https?://[^\s<>\"')]+")


def load(path):
    with open(path, "rb") as f:
        return email.message_from_binary_file(f, policy=email.policy.default)


def part(msg, subtype):
    body = msg.get_body(preferencelist=(subtype,))
    if body is None or body.get_content_subtype() != subtype:
        return None
    return body.get_content()


def recipients(msg):
    return [str(v).strip().lower() for v in msg.get_all("X-Sink-Envelope-To", [])]


def stored(directory):
    names = sorted(n for n in os.listdir(directory) if n.endswith(".eml") and not n.startswith("."))
    return [os.path.join(directory, n) for n in names]


def cmd_find(directory, to, regex, consumed_path):
    try:
        with open(consumed_path, encoding="utf-8") as f:
            consumed = set(line.rstrip("\n") for line in f)
    except FileNotFoundError:
        consumed = set()
    to = to.strip().lower()
    for path in stored(directory):
        if path in consumed:
            continue
        msg = load(path)
        if to not in recipients(msg):
            continue
        if regex and not re.search(regex, str(msg.get("Subject", ""))):
            continue
        with open(consumed_path, "a", encoding="utf-8") as f:
            f.write(path + "\n")
        print(path)
        return 0
    return 1


def cmd_count(directory, to):
    to = to.strip().lower()
    print(sum(1 for path in stored(directory) if to in recipients(load(path))))
    return 0


def emit(text):
    if text is None:
        return 1
    sys.stdout.write(text if text.endswith("\n") else text + "\n")
    return 0


def main(argv):
    if len(argv) < 3:
        sys.stderr.write(__doc__)
        return 2
    cmd, target = argv[1], argv[2]
    if cmd == "find":
        args = argv[3:]
        consumed = None
        if "--consumed" in args:
            i = args.index("--consumed")
            consumed = args[i + 1]
            del args[i : i + 2]
        if not args or consumed is None:
            sys.stderr.write(__doc__)
            return 2
        return cmd_find(target, args[0], args[1] if len(args) > 1 else "", consumed)
    if cmd == "count" and len(argv) == 4:
        return cmd_count(target, argv[3])
    msg = load(target)
    if cmd == "text":
        return emit(part(msg, "plain"))
    if cmd == "html":
        return emit(part(msg, "html"))
    if cmd == "header" and len(argv) == 4:
        values = msg.get_all(argv[3], [])
        for v in values:
            print(str(v))
        return 0 if values else 1
    if cmd == "links":
        text = part(msg, "plain")
        if text is None:
            return 1
        for link in LINK.findall(text):
            print(link.rstrip(".,;"))
        return 0
    if cmd == "attachments":
        for att in msg.iter_attachments():
            print(f"{att.get_filename()}\t{att.get_content_type()}\t{len(att.get_payload(decode=True))}")
        return 0
    if cmd == "attachment" and len(argv) == 4:
        for att in msg.iter_attachments():
            if att.get_filename() == argv[3]:
                sys.stdout.buffer.write(att.get_payload(decode=True))
                return 0
        return 1
    sys.stderr.write(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
