"""The service account's callback at /wechat/callback: verify → parse → route → reply.

callback.py is the endpoint (the POST as WSGI middleware, the GET server check as a view),
routes.py the routing table, replies.py the texts, menu.py the menu and its command.
"""
