"""flask data-keys …: re-encrypt stored personal data under the newest data key; census by key."""
import click

from app.security import key_rotation, pii


def register_key_commands(app):
    group = click.Group("data-keys", help="Data keys (DATA_KEYS): rotation of encrypted personal data.")
    app.cli.add_command(group)

    @group.command("rotate")
    @click.option("--batch-size", default=500, show_default=True, help="Rows per committed batch.")
    @click.option("--max-batches", default=None, type=int, help="Stop after this many batches (run again to resume).")
    def rotate_command(batch_size, max_batches):
        """Re-encrypt every value not under the newest key (resumable; the service keeps answering)."""
        click.echo(f"re-encrypting under data key {pii.current_key_id()!r}")
        def progress(table, column, position, count):
            click.echo(f"  {table}.{column}: up to id {position}, {count} rewritten")

        done = key_rotation.rotate(batch_size=batch_size, max_batches=max_batches, progress=progress)
        for column, count in done.items():
            click.echo(f"{column}: {count} rewritten")

    @group.command("census")
    def census_command():
        """How many stored values each key encrypts: an old key with none left may be removed."""
        for column, counts in key_rotation.census().items():
            click.echo(f"{column}: " + (", ".join(f"{k}={n}" for k, n in sorted(counts.items())) or "-"))
