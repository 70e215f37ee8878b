app_name = "lnb_casework"
app_title = "LNB Casework"
app_publisher = "DAUK Learn Not Blame"
app_description = "Casework for Learn Not Blame: doctors' cases, reviews, systemic issues and advocacy"
app_email = "learnnotblame@dauk.org"
app_license = "mit"

export_python_type_annotations = True

after_install = "lnb_casework.setup.install.after_install"
after_migrate = "lnb_casework.setup.install.after_migrate"

# The intake form's submissions go through the app's own checks (api/intake.py); other web forms are untouched.
override_whitelisted_methods = {
	"frappe.website.doctype.web_form.web_form.accept": "lnb_casework.api.intake.accept",
}

before_request = ["lnb_casework.guest_access.refuse_guest_requests_for_app_records"]
