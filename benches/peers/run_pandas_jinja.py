"""Peer for `cargo bench --bench run`: the campaign job as teams hand-roll it — pandas reads the
profiles, keeps those who consented, drops bad and duplicate addresses, Jinja2 renders the
nyc_offer HTML and text (autoescaped), the email package builds each MIME message, and smtplib
sends them one by one over one connection. Prints `sent seconds` on stdout.

usage: run_pandas_jinja.py PROFILES_CSV HOST PORT
"""

import hashlib
import hmac
import re
import smtplib
import sys
import time
from email.message import EmailMessage
from email.utils import formatdate

import pandas as pd
from jinja2 import Environment, select_autoescape

FOOTER_HTML = """<hr>
<p style="font-size: 12px; color: #666">
You receive this because you subscribed at acme.test.
<a href="{{ unsubscribe_url }}">Unsubscribe</a>.
</p>"""

HTML = """<html>
<body>
<p>Hi {{ user.first_name or "there" }},</p>
{% if user.city == "New York" %}
Exclusive offers for our NYC customers!
{% else %}
Discover our latest deals!
{% endif %}
""" + FOOTER_HTML + """
<p>1 Main St, Springfield, OR 97477</p>
</body>
</html>"""

TEXT = """Hi {{ user.first_name or "there" }},

{% if user.city == "New York" %}
Exclusive offers for our NYC customers!
{% else %}
Discover our latest deals!
{% endif %}
--
You receive this because you subscribed at acme.test.
Unsubscribe: {{ unsubscribe_url }}

1 Main St, Springfield, OR 97477
"""

ADDRESS = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def main():
    profiles, host, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
    start = time.perf_counter()
    frame = pd.read_csv(profiles, dtype=str, keep_default_na=False)
    frame = frame[(frame["email_opt_in"] == "true") & (frame["unsubscribed_at"] == "")]
    frame = frame[frame["email"].str.match(ADDRESS)]
    frame = frame.assign(lowered=frame["email"].str.lower()).sort_values("id")
    frame = frame.drop_duplicates("lowered")
    env = Environment(autoescape=select_autoescape(default=True, default_for_string=True))
    html = env.from_string(HTML)
    text = Environment(autoescape=False).from_string(TEXT)
    secret = b"bench"
    sent = 0
    with smtplib.SMTP(host, port) as smtp:
        for user in frame.to_dict("records"):
            token = hmac.new(secret, user["id"].encode(), hashlib.sha256).hexdigest()
            unsubscribe = f"https://acme.test/unsubscribe?u={user['id']}&t={token}"
            context = {"user": user, "unsubscribe_url": unsubscribe}
            message = EmailMessage()
            message["From"] = "Acme Outfitters <hello@acme.test>"
            message["To"] = user["email"]
            message["Subject"] = f"{user['first_name'] or 'Hi'}, this week's offers"
            message["Date"] = formatdate()
            digest = hashlib.sha256(f"nyc_offer\n{user['id']}".encode()).hexdigest()[:32]
            message["Message-ID"] = f"<{digest}@acme.test>"
            message["List-Unsubscribe"] = f"<{unsubscribe}>"
            message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
            message.set_content(text.render(context))
            message.add_alternative(html.render(context), subtype="html")
            smtp.send_message(message)
            sent += 1
    print(sent, time.perf_counter() - start)


if __name__ == "__main__":
    main()
