import email.policy

from django.core.mail.backends import console

# RFC 5322's limit for a line of a message. Below it a body is sent as it is
# (8bit) rather than quoted-printable, which breaks lines longer than 76
# characters with "=" and would cut a printed link in two.
LONGEST_LINE = 998


class ConsoleEmailBackend(console.EmailBackend):
    """Development mail on the console, each line whole, so a printed link works when copied or clicked."""

    def write_message(self, message):
        whole_lines = email.policy.default.clone(max_line_length=LONGEST_LINE)
        self.stream.write(message.message(policy=whole_lines).as_bytes().decode("utf-8", "replace") + "\n")
        self.stream.write("-" * 79 + "\n")
