"""The service account's callback at /wechat/callback: verify → parse → route → reply.

callback.py is the endpoint (the POST as WSGI middleware, the GET server check as a view),
routes.py the routing table, answers.py its handlers, replies.py the texts, menu.py the menu and
its command. The jobs the handlers queue are in app/services/service_account.py.
"""
