#include <dlib/image_transforms.h>
#include <dlib/image_processing.h>
#include <cstdio>
#include <cstring>
#include <cstdint>
static double rd(){ std::string h; std::cin>>h; uint64_t b=std::stoull(h,nullptr,16); double d; memcpy(&d,&b,8); return d;}
static void pb(double d){ uint64_t b; memcpy(&b,&d,8); printf(" %016llx",(unsigned long long)b);}
#include <iostream>
using namespace dlib;
// Prints what dlib 19.24 computes for the cases in dlib_similarity_cases.txt (doubles as hex bits).
// Input lines: "svd a00 a01 a10 a11" | "sim n fromxy... toxy..." | "chip size padding n x0 y0 ...";
// each output line is "=" followed by the result's bits. Build and run (the goldens' BLAS):
//   g++ -std=c++17 -O3 dlib_similarity_cases.cpp -o cases $(pkg-config --cflags --libs dlib-1)
//   grep -v '^=' dlib_similarity_cases.txt > in.txt
//   OPENBLAS_CORETYPE=Zen LD_LIBRARY_PATH=<OpenBLAS 0.3.21 openblas-pthread dir> ./cases < in.txt > out.txt
//   paste -d'\n' in.txt out.txt > dlib_similarity_cases.txt
// The inputs came from a seeded random generator (random matrices, rank-one covariances, diagonal
// and zero matrices, 2- to 51-point transforms) and the landmark shapes of ../shared/reference/chips_*_each.json.
int main(){
  std::string kind;
  while (std::cin >> kind) {
    if (kind=="svd") {
      matrix<double,2,2> m; m(0,0)=rd(); m(0,1)=rd(); m(1,0)=rd(); m(1,1)=rd();
      matrix<double,2,2> u,d,v; svd(m,u,d,v);
      printf("="); for (double x : {u(0,0),u(0,1),u(1,0),u(1,1), d(0,0), d(1,1), v(0,0),v(0,1),v(1,0),v(1,1)}) pb(x); printf("\n");
    } else if (kind=="sim") {
      int n; std::cin >> n; std::vector<dpoint> f(n), t(n);
      for (int i=0;i<n;i++) { f[i].x()=rd(); f[i].y()=rd(); }
      for (int i=0;i<n;i++) { t[i].x()=rd(); t[i].y()=rd(); }
      auto tf = find_similarity_transform(f,t);
      printf("="); for (double x : {tf.get_m()(0,0), tf.get_m()(0,1), tf.get_m()(1,0), tf.get_m()(1,1), tf.get_b().x(), tf.get_b().y()}) pb(x); printf("\n");
    } else if (kind=="chip") {
      unsigned long size; int n; std::cin >> size; double pad=rd(); std::cin >> n;
      std::vector<point> parts(n);
      for (int i=0;i<n;i++) std::cin >> parts[i].x() >> parts[i].y();
      full_object_detection det(rectangle(0,0,10,10), parts);
      auto cd = get_face_chip_details(det, size, pad);
      printf("="); for (double x : {cd.rect.left(), cd.rect.top(), cd.rect.right(), cd.rect.bottom(), cd.angle}) pb(x); printf("\n");
    }
  }
}
