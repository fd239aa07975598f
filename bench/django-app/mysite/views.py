from django.shortcuts import render


def home(request):
    return render(request, "home.html", {"title": "Hello from Django on AWS Lambda"})
