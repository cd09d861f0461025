"""Sign-in form."""

from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, Length, Regexp

NO_NUL = Regexp(r"^[^\x00]*$", message="Contains a character that is not allowed.")


class LoginForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=254), NO_NUL])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=1024), NO_NUL])
