"""Re-encrypting stored personal data under the newest data key, in batches, resumable.

Every column that holds a value encrypted with a data key is listed in ENCRYPTED_COLUMNS. For
each, rows are read in id order a batch at a time; a value not yet under the newest key is
decrypted and encrypted again, and written back only WHERE it still holds the value read, so a
request that changed it meanwhile (already under the newest key) wins and nothing is lost.
Each batch commits on its own; the position reached is kept in Redis, so a run that stops (or
is stopped) resumes where it was, and values already under the newest key are skipped anyway.
The service keeps answering throughout: every configured key decrypts.
"""
from app.extensions import db, redis_store
from app.security import pii

# (table, column): every value encrypted with the data key. Lookup digests (phone_hash…) are
# keyed by DATA_LOOKUP_KEY_ID's key and do not change here.
ENCRYPTED_COLUMNS = (
    ("accounts", "phone_enc"),
    ("accounts", "id_number_enc"),
    ("organisations", "contact_phone_enc"),
    ("activities", "contact_phone_enc"),
    ("card_applications", "delivery_phone_enc"),
    ("objections", "contact_enc"),
    ("outbox_messages", "secret_enc"),
    ("outbox_messages", "recipient"),  # SMS and email rows; an openid has no key prefix and is skipped
)


def _cursor_key(table, column):
    return redis_store.key("data-key-rotation", pii.current_key_id(), table, column)


def _is_encrypted(value):
    return bool(value) and (pii.key_id_of(value) is not None or _legacy(value))


def _legacy(value):
    """A value from before key ids (plain base64 of nonce + ciphertext); an openid is shorter."""
    try:
        pii.decrypt(value)
        return True
    except Exception:  # noqa: BLE001 - not ours to decrypt: an openid in the outbox
        return False


def rotate(batch_size=500, max_batches=None, progress=None):
    """Re-encrypt what is not under the newest key. Returns {"table.column": rows rewritten}.
    max_batches: stop after that many batches in all (the next call resumes)."""
    rewritten, batches = {}, 0
    for table_name, column_name in ENCRYPTED_COLUMNS:
        table = db.metadata.tables[table_name]
        column, ids = table.c[column_name], table.c.id
        key = _cursor_key(table_name, column_name)
        position = int(redis_store.client.get(key) or 0)
        count = 0
        while max_batches is None or batches < max_batches:
            rows = db.session.execute(
                db.select(ids, column).where(ids > position, column.is_not(None)).order_by(ids).limit(batch_size)
            ).all()
            if not rows:
                break
            for row_id, value in rows:
                if pii.needs_rotation(value) and _is_encrypted(value):
                    renewed = pii.reencrypt(value)
                    count += db.session.execute(
                        db.update(table).where(ids == row_id, column == value).values({column_name: renewed})
                    ).rowcount
            db.session.commit()
            position = rows[-1][0]
            redis_store.client.set(key, position, ex=30 * 24 * 3600)
            batches += 1
            if progress:
                progress(table_name, column_name, position, count)
        rewritten[f"{table_name}.{column_name}"] = count
        if max_batches is not None and batches >= max_batches:
            return rewritten
        redis_store.client.delete(key)
    return rewritten


def census():
    """{"table.column": {key id (or "none" before ids): values}} — when an old key's count is
    0 everywhere, it may leave DATA_KEYS (unless it is the lookup key)."""
    report = {}
    for table_name, column_name in ENCRYPTED_COLUMNS:
        column = db.metadata.tables[table_name].c[column_name]
        counts = {}
        for (value,) in db.session.execute(db.select(column).where(column.is_not(None))):
            if not _is_encrypted(value):
                continue
            key_id = pii.key_id_of(value) or "none"
            counts[key_id] = counts.get(key_id, 0) + 1
        report[f"{table_name}.{column_name}"] = counts
    db.session.rollback()
    return report
