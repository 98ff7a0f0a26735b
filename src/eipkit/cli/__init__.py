"""The `eipkit` command line: a thin face on the library; every figure it prints is computed in `eipkit`."""

from eipkit.cli import admin, certify, core, guide, monitor, recp, reports, symbiosis, training, web

app = core.app
app.add_typer(recp.app, name="recp")
app.add_typer(monitor.app, name="monitor")
app.add_typer(symbiosis.app, name="symbiosis")
app.add_typer(certify.app, name="certify")
app.add_typer(training.app, name="training")
reports.register(app)
app.command()(guide.guide)
app.command()(web.serve)
app.command()(web.worker)
app.add_typer(web.users_app, name="users")
app.command()(admin.upgrade)
app.command()(admin.backup)
app.command()(admin.restore)
app.add_typer(admin.keys_app, name="keys")
app.add_typer(admin.move_app, name="move")
app.add_typer(admin.reference_app, name="reference")


def main() -> None:
    app()


__all__ = ["app", "main"]
